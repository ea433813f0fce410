import Foundation
import Logging
import PostgresNIO
import ReactorCore

/// The PostgreSQL ``ModelRecordStore``: table `model_records` in the store's schema, created by its migration 7
/// (``PostgresStore/migrate()``). It shares the ``PostgresStore``'s connection pool (which must be running), so every
/// node on the database sees a model registered on any of them.
public struct PostgresModelRecordStore: ModelRecordStore {
    private let store: PostgresStore
    private let table: String

    /// The model records in `store`'s schema.
    public init(store: PostgresStore) {
        self.store = store
        table = store.tables.schema + ".model_records"
    }

    /// Schema version 7: document models registered at run time. `definition` is ``ModelRecord/storedDefinition``;
    /// `created_at` is seconds since 1970.
    static func schemaV7(_ s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).model_records (
                document_type TEXT NOT NULL,
                version INTEGER NOT NULL,
                digest TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (document_type, version)
            )
            """
        ]
    }

    private static let columns = "document_type, version, digest, definition, created_at"

    public func insertModel(_ record: ModelRecord) async throws -> ModelRecord {
        _ = try await run(
            "INSERT INTO \(unescaped: table) (\(unescaped: Self.columns)) VALUES (\(record.documentType), \(record.version), \(record.digest), \(record.storedDefinition), \(record.createdAt.timeIntervalSince1970)) ON CONFLICT DO NOTHING"
        )
        guard let stored = try await model(documentType: record.documentType, version: record.version) else {
            throw ReactorError(.storage, "model '\(record.documentType)' version \(record.version) was not stored")
        }
        guard stored.sameDefinition(as: record) else { throw record.conflict(with: stored) }
        return stored
    }

    public func model(documentType: String, version: Int?) async throws -> ModelRecord? {
        let rows = if let version {
            try await run("SELECT \(unescaped: Self.columns) FROM \(unescaped: table) WHERE document_type = \(documentType) AND version = \(version)")
        } else {
            try await run("SELECT \(unescaped: Self.columns) FROM \(unescaped: table) WHERE document_type = \(documentType) ORDER BY version DESC LIMIT 1")
        }
        return try rows.first.map(Self.record)
    }

    public func models() async throws -> [ModelRecord] {
        try await run("SELECT \(unescaped: Self.columns) FROM \(unescaped: table) ORDER BY document_type, version").map(Self.record)
    }

    private static func record(_ row: PostgresRow) throws -> ModelRecord {
        let (documentType, version, digest, definition, created) = try row.decode((String, Int, String, String, Double).self)
        return try ModelRecord(
            documentType: documentType, version: version, digest: digest, createdAt: Date(timeIntervalSince1970: created),
            storedDefinition: definition)
    }

    private func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await store.read { c in try await c.query(query, logger: store.logger).collect() }
    }
}
