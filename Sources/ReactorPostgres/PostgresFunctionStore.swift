import Foundation
import Logging
import PostgresNIO
import ReactorCore

/// The PostgreSQL ``FunctionStore``: tables `function_records` and `function_versions` in the store's schema,
/// created by its migration 6 (``PostgresStore/migrate()``), shared by every node on the database. It uses the
/// ``PostgresStore``'s connection pool (which must be running).
public struct PostgresFunctionStore: FunctionStore {
    private let store: PostgresStore
    private let records: String
    private let versionsTable: String

    /// The function store in `store`'s schema.
    public init(store: PostgresStore) {
        self.store = store
        records = store.tables.schema + ".function_records"
        versionsTable = store.tables.schema + ".function_versions"
    }

    /// Schema version 6: the functions tables (issue 15). Records and versions are JSON beside the queried columns.
    static func schemaV6(_ s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).function_records (
                name TEXT PRIMARY KEY,
                revision BIGINT NOT NULL,
                record TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE \(s).function_versions (
                seq BIGSERIAL PRIMARY KEY,
                function TEXT NOT NULL,
                id TEXT NOT NULL,
                version TEXT NOT NULL,
                UNIQUE (function, id)
            )
            """,
        ]
    }

    public func insertVersion(_ version: FunctionVersion) async throws -> Bool {
        let json = try FunctionStoreCoding.encode(version)
        let rows = try await run(
            "INSERT INTO \(unescaped: versionsTable) (function, id, version) VALUES (\(version.function), \(version.id), \(json)) ON CONFLICT (function, id) DO NOTHING RETURNING seq"
        )
        return rows.count == 1
    }

    public func version(function: String, id: String) async throws -> FunctionVersion? {
        try await run("SELECT version FROM \(unescaped: versionsTable) WHERE function = \(function) AND id = \(id)")
            .first.map { try FunctionStoreCoding.decode(FunctionVersion.self, try $0.decode(String.self)) }
    }

    public func versions(function: String) async throws -> [FunctionVersion] {
        try await run("SELECT version FROM \(unescaped: versionsTable) WHERE function = \(function) ORDER BY seq")
            .map { try FunctionStoreCoding.decode(FunctionVersion.self, try $0.decode(String.self)) }
    }

    public func function(named name: String) async throws -> FunctionRecord? {
        try await run("SELECT revision, record FROM \(unescaped: records) WHERE name = \(name)").first.map(Self.record)
    }

    public func functions() async throws -> [FunctionRecord] {
        try await run("SELECT revision, record FROM \(unescaped: records) ORDER BY name").map(Self.record)
    }

    public func saveFunction(_ record: FunctionRecord, expectedRevision: Int?) async throws -> Bool {
        var saved = record
        saved.revision = (expectedRevision ?? 0) + 1
        let json = try FunctionStoreCoding.encode(saved)
        let revision = Int64(saved.revision)
        let rows: [PostgresRow]
        if let expectedRevision {
            rows = try await run(
                "UPDATE \(unescaped: records) SET revision = \(revision), record = \(json) WHERE name = \(record.name) AND revision = \(Int64(expectedRevision)) RETURNING name"
            )
        } else {
            rows = try await run(
                "INSERT INTO \(unescaped: records) (name, revision, record) VALUES (\(record.name), \(revision), \(json)) ON CONFLICT (name) DO NOTHING RETURNING name"
            )
        }
        return rows.count == 1
    }

    public func deleteFunction(named name: String) async throws -> Bool {
        // One statement, so the record and its versions go together.
        let rows = try await run(
            """
            WITH r AS (DELETE FROM \(unescaped: records) WHERE name = \(name) RETURNING 1),
                 v AS (DELETE FROM \(unescaped: versionsTable) WHERE function = \(name) RETURNING 1)
            SELECT (SELECT count(*) FROM r) + (SELECT count(*) FROM v)
            """
        )
        return try (rows.first?.decode(Int64.self) ?? 0) > 0
    }

    private static func record(_ row: PostgresRow) throws -> FunctionRecord {
        let (revision, json) = try row.decode((Int64, String).self)
        var record = try FunctionStoreCoding.decode(FunctionRecord.self, json)
        record.revision = Int(revision)
        return record
    }

    private func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await store.read { c in try await c.query(query, logger: store.logger).collect() }
    }
}
