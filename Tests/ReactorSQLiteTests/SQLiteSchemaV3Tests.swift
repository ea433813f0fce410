import Foundation
import GRDB
import ReactorCore
@testable import ReactorSQLite
import ReactorTesting
import Testing

/// Schema v3: plain rowid ordinals, and headers that a job-like commit does not rewrite.
@Suite("SQLiteStore schema v3", .timeLimit(.minutes(3)))
struct SQLiteSchemaV3Tests {
    typealias T = SQLiteStoreTests

    static func header(_ id: String, revision: Int, at time: Int64, name: String? = nil) -> DocumentHeader {
        var header = T.header(id, slug: "slug-\(id)")
        header.revision = [Scope.global: revision]
        header.lastModifiedAt = time
        if let name { header.name = name }
        return header
    }

    /// A job-like commit: one operation on the global stream, the header's revision and time moved on.
    static func job(_ id: String, at revision: Int, time: Int64, name: String? = nil) -> Commit {
        let stream = StreamID(documentID: id, scope: Scope.global)
        return Commit(
            header: header(id, revision: revision + 1, at: time, name: name),
            appends: [StreamAppend(stream: stream, expectedRevision: revision, operations: T.operations(stream, from: revision, count: 1))])
    }

    /// Every row of every table the migration rebuilds or alters (the columns v2 had), as text.
    static func dump(_ store: SQLiteStore) async throws -> [String] {
        try await store.pool.read { db in
            var out: [String] = []
            for sql in [
                "SELECT * FROM documents ORDER BY seq",
                "SELECT document_id, scope, branch, revision FROM streams ORDER BY document_id, scope, branch",
                "SELECT * FROM operations ORDER BY ordinal",
                "SELECT * FROM keyframes ORDER BY document_id, scope, branch, idx",
                "SELECT * FROM relationships ORDER BY source_id, target_id, type",
            ] {
                out += try Row.fetchAll(db, sql: sql).map { "\($0)" }
            }
            return out
        }
    }

    /// A v2 file upgrades to v3 with every operation, ordinal, header, stream, keyframe and relationship as it was;
    /// ordinals continue after the highest one, `AUTOINCREMENT` and its `sqlite_sequence` row are gone.
    @Test func upgradeFromV2KeepsEverything() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("store.sqlite")
        let store = try SQLiteStore(path: path)
        try SQLiteSchema.makeMigrator().migrate(store.pool, upTo: "v2")
        let stream = StreamID(documentID: "old", scope: Scope.global)
        let ops = T.operations(stream, from: 0, count: 3)
        var header = Self.header("old", revision: 3, at: 7)
        header.meta = ["k": ["nested": [1, "ü"]]]
        try await store.pool.write { [header] db in
            try db.execute(sql: "INSERT INTO documents (id, slug, document_type, deleted, header) VALUES (?, ?, ?, 0, ?)",
                           arguments: [header.id, header.slug, header.documentType, header.jsonValue.canonicalString])
            try db.execute(sql: "INSERT INTO streams (document_id, scope, branch, revision) VALUES ('old', 'global', 'main', 3)")
            for (op, ordinal) in zip(ops, [4, 9, 17]) {
                try db.execute(sql: """
                    INSERT INTO operations (ordinal, document_id, scope, branch, idx, op_id, skip, timestamp, hash, action_id, action_type,
                        action_scope, action_timestamp, input, context, error, document_type, origin)
                    VALUES (?, 'old', 'global', 'main', ?, ?, 0, ?, ?, ?, ?, 'global', ?, ?, NULL, NULL, ?, 'peer')
                    """, arguments: [ordinal, op.index, op.id, op.timestamp, op.hash, op.action.id, op.action.type, op.action.timestamp,
                                     op.action.input.canonicalString, T.documentType])
            }
            try db.execute(sql: "INSERT INTO keyframes (document_id, scope, branch, idx, state, hash) VALUES ('old', 'global', 'main', 1, '{\"a\":1}', 'k1')")
            try db.execute(sql: "INSERT INTO relationships (source_id, target_id, type) VALUES ('old', 'kid', 'child')")
        }
        let before = try await Self.dump(store)
        #expect(try await store.pendingMigrations() == ["v3", "v4", "v5", "v6", "v7"])
        try await store.migrate()
        #expect(try await store.pendingMigrations().isEmpty)
        #expect(try await Self.dump(store) == before)
        let after = try await SQLiteStoreTests.Contents.read(store)
        #expect(after.feed.map(\.ordinal) == [4, 9, 17])
        #expect(after.feed.map(\.operation) == ops && after.feed.allSatisfy { $0.origin == "peer" })
        #expect(try await store.header(id: "old") == header)
        let schema = try await store.pool.read { db in
            (try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'operations'") ?? "",
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'operations'") ?? -1,
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'operations' ORDER BY name"))
        }
        #expect(!schema.0.contains("AUTOINCREMENT"))
        #expect(schema.1 == 0)
        #expect(schema.2 == ["operations_by_document", "sqlite_autoindex_operations_1", "sqlite_autoindex_operations_2"])

        // Writes continue after the highest ordinal; job-like commits read back exactly.
        let first = try await store.commit(Self.job("old", at: 3, time: 8))
        #expect(first.records.map(\.ordinal) == [18])
        let second = try await store.commit(Self.job("old", at: 4, time: 9))
        #expect(second.records.map(\.ordinal) == [19])
        #expect(try await store.header(id: "old") == Self.header("old", revision: 5, at: 9))
        try await store.close()
    }

    /// A job-like commit leaves the `documents` row as it is (its header text unchanged) and the header still reads
    /// back exactly; a rename rewrites it and clears the marks.
    @Test func jobLikeCommitsLeaveTheDocumentRow() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try await T.openStore(directory.path("store.sqlite"))
        let stream = StreamID(documentID: "a", scope: Scope.global)
        _ = try await store.commit(Commit(
            header: Self.header("a", revision: 1, at: 1), createsDocument: true,
            appends: [StreamAppend(stream: stream, expectedRevision: 0, operations: T.operations(stream, from: 0, count: 1))]))
        func row() async throws -> (String, Int64?) {
            try await store.pool.read { db in
                (try String.fetchOne(db, sql: "SELECT header FROM documents WHERE id = 'a'") ?? "",
                 try Int64?.fetchOne(db, sql: "SELECT header_modified_at FROM streams WHERE document_id = 'a'") ?? nil)
            }
        }
        let created = try await row()
        #expect(created.1 == nil)
        for i in 1...3 {
            _ = try await store.commit(Self.job("a", at: i, time: Int64(1 + i)))
            #expect(try await row().0 == created.0, "commit \(i) rewrote the header")
            #expect(try await row().1 == Int64(1 + i))
            #expect(try await store.header(id: "a") == Self.header("a", revision: i + 1, at: Int64(1 + i)))
        }
        _ = try await store.commit(Self.job("a", at: 4, time: 10, name: "renamed"))
        let renamed = try await row()
        #expect(renamed.0 != created.0 && renamed.1 == nil)
        #expect(try await store.header(id: "a") == Self.header("a", revision: 5, at: 10, name: "renamed"))
        try await store.close()
    }

    /// Two stores on one file: each sees the other's header changes (the writer's knowledge of headers is dropped
    /// when another connection committed), so a commit carrying an older name is stored as given.
    @Test func twoStoresOnOneFileKeepHeadersExact() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("store.sqlite")
        let a = try await T.openStore(path)
        let b = try await T.openStore(path)
        let stream = StreamID(documentID: "d", scope: Scope.global)
        _ = try await a.commit(Commit(
            header: Self.header("d", revision: 1, at: 1), createsDocument: true,
            appends: [StreamAppend(stream: stream, expectedRevision: 0, operations: T.operations(stream, from: 0, count: 1))]))
        _ = try await a.commit(Self.job("d", at: 1, time: 2))
        _ = try await b.commit(Self.job("d", at: 2, time: 3, name: "renamed by b"))
        // A writes a job with the name it knew, as a stale writer would; it is stored as given.
        _ = try await a.commit(Self.job("d", at: 3, time: 4))
        let expected = Self.header("d", revision: 4, at: 4)
        #expect(try await a.header(id: "d") == expected)
        #expect(try await b.header(id: "d") == expected)
        _ = try await b.commit(Self.job("d", at: 4, time: 5))
        #expect(try await a.header(id: "d") == Self.header("d", revision: 5, at: 5))
        try await a.close()
        try await b.close()
    }
}

