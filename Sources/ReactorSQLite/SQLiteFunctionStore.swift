import Foundation
import GRDB
import ReactorCore

/// The SQLite ``FunctionStore``: tables `function_records` and `function_versions` in the store's file, created by
/// its migration `v5` (``SQLiteStore/migrate()``). It shares the ``SQLiteStore``'s connection pool. Records and
/// versions are kept as JSON beside the columns that are queried.
public struct SQLiteFunctionStore: FunctionStore {
    private let pool: DatabasePool

    /// The function store in `store`'s file (migrate the store first).
    public init(store: SQLiteStore) {
        self.pool = store.pool
    }

    /// Schema version 5: the functions tables (issue 15).
    static let schemaV5 = """
        CREATE TABLE function_records (
            name TEXT PRIMARY KEY,
            revision INTEGER NOT NULL,
            record TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE function_versions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            function TEXT NOT NULL,
            id TEXT NOT NULL,
            version TEXT NOT NULL,
            UNIQUE (function, id)
        );
        """

    public func insertVersion(_ version: FunctionVersion) async throws -> Bool {
        let json = try FunctionStoreCoding.encode(version)
        return try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO function_versions (function, id, version) VALUES (?, ?, ?)",
                           arguments: [version.function, version.id, json])
            return db.changesCount > 0
        }
    }

    public func version(function: String, id: String) async throws -> FunctionVersion? {
        let json = try await read { db in
            try String.fetchOne(db, sql: "SELECT version FROM function_versions WHERE function = ? AND id = ?", arguments: [function, id])
        }
        return try json.map { try FunctionStoreCoding.decode(FunctionVersion.self, $0) }
    }

    public func versions(function: String) async throws -> [FunctionVersion] {
        let rows = try await read { db in
            try String.fetchAll(db, sql: "SELECT version FROM function_versions WHERE function = ? ORDER BY seq", arguments: [function])
        }
        return try rows.map { try FunctionStoreCoding.decode(FunctionVersion.self, $0) }
    }

    public func function(named name: String) async throws -> FunctionRecord? {
        let row = try await read { db in
            try Row.fetchOne(db, sql: "SELECT revision, record FROM function_records WHERE name = ?", arguments: [name])
                .map { (revision: $0["revision"] as Int, record: $0["record"] as String) }
        }
        return try row.map(Self.record)
    }

    public func functions() async throws -> [FunctionRecord] {
        let rows = try await read { db in
            try Row.fetchAll(db, sql: "SELECT revision, record FROM function_records ORDER BY name")
                .map { (revision: $0["revision"] as Int, record: $0["record"] as String) }
        }
        return try rows.map(Self.record)
    }

    public func saveFunction(_ record: FunctionRecord, expectedRevision: Int?) async throws -> Bool {
        var saved = record
        saved.revision = (expectedRevision ?? 0) + 1
        let json = try FunctionStoreCoding.encode(saved)
        let revision = saved.revision
        return try await write { db in
            if let expectedRevision {
                try db.execute(sql: "UPDATE function_records SET revision = ?, record = ? WHERE name = ? AND revision = ?",
                               arguments: [revision, json, record.name, expectedRevision])
            } else {
                try db.execute(sql: "INSERT OR IGNORE INTO function_records (name, revision, record) VALUES (?, ?, ?)",
                               arguments: [record.name, revision, json])
            }
            return db.changesCount > 0
        }
    }

    public func deleteFunction(named name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM function_records WHERE name = ?", arguments: [name])
            var changed = db.changesCount
            try db.execute(sql: "DELETE FROM function_versions WHERE function = ?", arguments: [name])
            changed += db.changesCount
            return changed > 0
        }
    }

    private static func record(_ row: (revision: Int, record: String)) throws -> FunctionRecord {
        var record = try FunctionStoreCoding.decode(FunctionRecord.self, row.record)
        record.revision = row.revision
        return record
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await SideTableAccess(pool: pool, failure: Self.failure).read(body)
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await SideTableAccess(pool: pool, failure: Self.failure).write(body)
    }

    @Sendable private static func failure(_ error: any Error) -> any Error {
        if let error = error as? ReactorError { return error }
        return ReactorError(.storage, "the SQLite function store failed", details: ["underlying": "\(error)"])
    }
}
