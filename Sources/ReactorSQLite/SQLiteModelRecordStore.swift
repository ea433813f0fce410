import Foundation
import GRDB
import ReactorCore

/// The SQLite ``ModelRecordStore``: table `model_records` in the store's file, created by its migration `v6`
/// (``SQLiteStore/migrate()``). It shares the ``SQLiteStore``'s connection pool.
public struct SQLiteModelRecordStore: ModelRecordStore {
    private let pool: DatabasePool

    /// The model records in `store`'s file (migrate the store first).
    public init(store: SQLiteStore) {
        self.pool = store.pool
    }

    /// Schema version 6: document models registered at run time. `definition` is ``ModelRecord/storedDefinition``;
    /// `created_at` is seconds since 1970.
    static let schemaV6 = """
        CREATE TABLE model_records (
            document_type TEXT NOT NULL,
            version INTEGER NOT NULL,
            digest TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (document_type, version)
        ) WITHOUT ROWID;
        """

    private static let columns = "document_type, version, digest, definition, created_at"

    public func insertModel(_ record: ModelRecord) async throws -> ModelRecord {
        try await access { db in
            try db.execute(
                sql: "INSERT INTO model_records (\(Self.columns)) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [
                    record.documentType, record.version, record.digest, record.storedDefinition, record.createdAt.timeIntervalSince1970,
                ])
            guard let stored = try Self.fetch(db, documentType: record.documentType, version: record.version) else {
                throw ReactorError(.storage, "model '\(record.documentType)' version \(record.version) was not stored")
            }
            guard stored.sameDefinition(as: record) else { throw record.conflict(with: stored) }
            return stored
        }
    }

    public func model(documentType: String, version: Int?) async throws -> ModelRecord? {
        try await access(write: false) { db in try Self.fetch(db, documentType: documentType, version: version) }
    }

    public func models() async throws -> [ModelRecord] {
        try await access(write: false) { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM model_records ORDER BY document_type, version").map(Self.record)
        }
    }

    private static func fetch(_ db: Database, documentType: String, version: Int?) throws -> ModelRecord? {
        if let version {
            return try Row.fetchOne(
                db, sql: "SELECT \(columns) FROM model_records WHERE document_type = ? AND version = ?", arguments: [documentType, version]
            ).map(record)
        }
        return try Row.fetchOne(
            db, sql: "SELECT \(columns) FROM model_records WHERE document_type = ? ORDER BY version DESC LIMIT 1", arguments: [documentType]
        ).map(record)
    }

    private static func record(_ row: Row) throws -> ModelRecord {
        try ModelRecord(
            documentType: row["document_type"], version: row["version"], digest: row["digest"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), storedDefinition: row["definition"])
    }

    private func access<T: Sendable>(write: Bool = true, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return write ? try await pool.write(body) : try await pool.read(body)
        } catch let error as ReactorError {
            throw error
        } catch {
            throw ReactorError(.storage, "the model records could not be accessed: \(error)")
        }
    }
}
