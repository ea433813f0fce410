/// Where the Reactor store keeps the document models registered at run time (``ModelRecord``), so that every node of a
/// cluster finds them.
///
/// Adapters: `ReactorMemory.InMemoryModelRecordStore`, `ReactorSQLite.SQLiteModelRecordStore` and
/// `ReactorPostgres.PostgresModelRecordStore` (tables created by their store's migrations); all pass
/// `ReactorTesting.ModelRecordStoreConformance`.
public protocol ModelRecordStore: Sendable {
    /// Adds `record` and returns what is stored for its (type, version): `record` itself, or the existing record when
    /// it has the same definition (``ModelRecord/sameDefinition(as:)``; registering again is idempotent). Throws
    /// `MODEL_EXISTS` when the pair is taken by another definition. Atomic: of two concurrent inserts of one pair, one
    /// wins and the other gets the winner or the conflict.
    func insertModel(_ record: ModelRecord) async throws -> ModelRecord
    /// The record of `documentType` at `version`, or its newest version when `version` is nil.
    func model(documentType: String, version: Int?) async throws -> ModelRecord?
    /// Every record, by document type then version.
    func models() async throws -> [ModelRecord]
}
