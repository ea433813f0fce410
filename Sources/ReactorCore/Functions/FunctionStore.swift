/// Where a reactor keeps its functions' records and versions (the modules themselves are in the blob store).
///
/// Adapters: `ReactorMemory.InMemoryFunctionStore`, `ReactorSQLite.SQLiteFunctionStore` and
/// `ReactorPostgres.PostgresFunctionStore` (tables created by their store's migrations), so every node of a cluster
/// on one database serves the same versions. All pass `ReactorTesting.FunctionStoreConformance`.
public protocol FunctionStore: Sendable {
    /// Adds a version. False when the function already has a version with this id (nothing changes: versions are
    /// immutable).
    func insertVersion(_ version: FunctionVersion) async throws -> Bool
    /// The version `id` of `function`.
    func version(function: String, id: String) async throws -> FunctionVersion?
    /// Every version of `function`, oldest first.
    func versions(function: String) async throws -> [FunctionVersion]

    /// The record of `name`.
    func function(named name: String) async throws -> FunctionRecord?
    /// Every function, by name.
    func functions() async throws -> [FunctionRecord]
    /// Saves `record` when the stored record's revision is `expectedRevision` (nil: when there is none), storing
    /// `record` with revision `expectedRevision + 1` (1 for a new record). False when another save came first.
    func saveFunction(_ record: FunctionRecord, expectedRevision: Int?) async throws -> Bool
    /// Removes the function's record and every version of it. False when there was neither.
    func deleteFunction(named name: String) async throws -> Bool
}
