import Foundation
import GRDB
import ReactorCore
@testable import ReactorSQLite
import ReactorTesting
import Testing

@Suite("SQLiteStore", .timeLimit(.minutes(3)))
struct SQLiteStoreTests {
    static let documentType = "reactor/sqlite-test"

    static func header(_ id: String, slug: String? = nil, deletedAt: Int64? = nil) -> DocumentHeader {
        DocumentHeader(id: id, slug: slug, name: "name of \(id)", documentType: documentType, createdAt: 1, lastModifiedAt: 2, meta: ["k": "v"], deletedAt: deletedAt)
    }

    static func operations(_ stream: StreamID, from index: Int, count: Int) -> [ReactorCore.Operation] {
        (index..<index + count).map { i in
            let actionID = UUID().uuidString
            return ReactorCore.Operation(
                id: OperationID.make(stream: stream, actionID: actionID), index: i, timestamp: 1_000 + Int64(i), hash: "h\(i)",
                action: Action(id: actionID, type: "SET", scope: stream.scope, input: ["i": .number(Double(i)), "s": "ü✓"], timestamp: 1_000 + Int64(i)))
        }
    }

    static func create(_ id: String, slug: String? = nil, count: Int = 1) -> Commit {
        let stream = StreamID(documentID: id, scope: Scope.global)
        return Commit(header: header(id, slug: slug), createsDocument: true, appends: [StreamAppend(stream: stream, expectedRevision: 0, operations: operations(stream, from: 0, count: count))])
    }

    static func append(_ id: String, at revision: Int, count: Int = 1) -> Commit {
        let stream = StreamID(documentID: id, scope: Scope.global)
        return Commit(header: header(id), appends: [StreamAppend(stream: stream, expectedRevision: revision, operations: operations(stream, from: revision, count: count))])
    }

    static func openStore(_ path: String, _ configuration: SQLiteStoreConfiguration = .init()) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: path, configuration: configuration)
        try await store.migrate()
        return store
    }

    /// Everything a store holds, read through the public API.
    struct Contents: Equatable {
        var headers: [DocumentHeader]
        var feed: [OperationRecord]
        var latestOrdinal: Int64
        var streams: [StreamID: [ReactorCore.Operation]] = [:]
        var revisions: [String: [String: Int]] = [:]
        var keyframes: [String: Keyframe?] = [:]
        var relationships: [String: [Relationship]] = [:]
        var slugs: [String: String?] = [:]
        var cursors: [String: Int64?] = [:]

        static func read(_ store: any ReactorStore) async throws -> Contents {
            let headers = try await store.findHeaders(matching: DocumentQuery(includeDeleted: true), page: PageRequest(limit: 1_000)).items
            var c = Contents(headers: headers, feed: try await store.operations(afterOrdinal: 0, limit: 10_000), latestOrdinal: try await store.latestOrdinal())
            for header in headers {
                c.revisions[header.id] = try await store.revisions(documentID: header.id, branch: Branch.main)
                c.relationships[header.id] = try await store.relationships(from: header.id, type: nil)
                if let slug = header.slug { c.slugs[slug] = try await store.documentID(forSlug: slug) }
                for scope in [Scope.document, Scope.global] {
                    let stream = StreamID(documentID: header.id, scope: scope)
                    c.streams[stream] = try await store.operations(in: stream, fromIndex: 0, limit: nil)
                    for index in [nil, -1, 0, 3] as [Int?] {
                        c.keyframes["\(stream)@\(index.map(String.init) ?? "latest")"] = try await store.latestKeyframe(of: stream, atOrBefore: index)
                    }
                }
            }
            for name in ["p1", "p2", "never"] { c.cursors[name] = try await store.cursor(named: name) }
            return c
        }
    }

    @Test func reopenGivesBackEverything() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("reopen/store.sqlite")
        let store = try await Self.openStore(path)
        for i in 0..<10 {
            var commit = Self.create("doc-\(i)", slug: i.isMultiple(of: 3) ? "slug-\(i)" : nil, count: 1 + i % 4)
            commit.header.deletedAt = i == 7 ? 99 : nil
            commit.keyframes = [Keyframe(stream: StreamID(documentID: "doc-\(i)", scope: Scope.global), index: -1, state: ["initial": .number(Double(i))], hash: "k")]
            _ = try await store.commit(commit)
        }
        var links = Self.append("doc-0", at: 1, count: 4)
        links.relationshipsAdded = (1..<10).map { Relationship(sourceID: "doc-0", targetID: "doc-\($0)") } + [Relationship(sourceID: "doc-0", targetID: "doc-1", type: "link")]
        links.keyframes = [Keyframe(stream: StreamID(documentID: "doc-0", scope: Scope.global), index: 3, state: ["three": [1, 2, 3]], hash: "k3")]
        _ = try await store.commit(links)
        try await store.saveCursor(named: "p1", ordinal: 7)
        try await store.saveCursor(named: "p2", ordinal: 12)
        let before = try await Contents.read(store)
        #expect(before.headers.count == 10)
        #expect(before.feed.count == 27)  // 23 created + 4 appended
        try await store.close()

        let reopened = try await Self.openStore(path)
        let after = try await Contents.read(reopened)
        #expect(after == before)
        let receipt = try await reopened.commit(Self.append("doc-1", at: 2))
        #expect(receipt.records[0].ordinal > before.latestOrdinal)
        let findChildren = try await reopened.findHeaders(matching: DocumentQuery(parentID: "doc-0"), page: PageRequest())
        #expect(findChildren.items.map(\.id) == (1..<10).filter { $0 != 7 }.map { "doc-\($0)" })
        try await reopened.close()
    }

    @Test(arguments: [SQLiteStoreConfiguration.Durability.normal, .full])
    func walAndSynchronousAreInEffect(_ durability: SQLiteStoreConfiguration.Durability) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("store.sqlite")
        for _ in 0..<2 {  // a new file, then an existing one
            let store = try await Self.openStore(path, .init(durability: durability))
            #expect(try await store.pragma("journal_mode") == "wal")
            #expect(try await store.pragma("synchronous") == String(durability.synchronousPragmaValue))
            #expect(try await store.pragma("busy_timeout") == "5000")
            let readerSynchronous = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(readerSynchronous == durability.synchronousPragmaValue)
            _ = try await store.commit(Self.create(UUID().uuidString))
            try await store.close()
        }
    }

    @Test func twoStoresOnOneFileRaceOnAStream() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("shared.sqlite")
        let a = try await Self.openStore(path)
        let b = try await Self.openStore(path)
        for round in 0..<30 {
            let id = "doc-\(round)"
            _ = try await a.commit(Self.create(id, count: round % 3))
            let revision = round % 3
            let results = await withTaskGroup(of: Result<CommitReceipt, ReactorError>.self) { group in
                for store in [a, b] {
                    group.addTask { await store.commit([Self.append(id, at: revision, count: 2)])[0] }
                }
                var out: [Result<CommitReceipt, ReactorError>] = []
                for await r in group { out.append(r) }
                return out
            }
            let winners = results.filter { if case .success = $0 { true } else { false } }
            #expect(winners.count == 1, "round \(round)")
            for case .failure(let error) in results {
                #expect(error.code == .revisionConflict && error.isTransient, "round \(round): \(error.debugDescription)")
            }
            let stream = StreamID(documentID: id, scope: Scope.global)
            let fromA = try await a.operations(in: stream, fromIndex: 0, limit: nil)
            let fromB = try await b.operations(in: stream, fromIndex: 0, limit: nil)
            #expect(fromA.map(\.index) == Array(0..<revision + 2))
            #expect(fromA == fromB)
        }
        // Creating one document from both stores: exactly one wins.
        for round in 0..<10 {
            let commit = Self.create("both-\(round)")
            let results = await withTaskGroup(of: Result<CommitReceipt, ReactorError>.self) { group in
                for store in [a, b] { group.addTask { await store.commit([commit])[0] } }
                var out: [Result<CommitReceipt, ReactorError>] = []
                for await r in group { out.append(r) }
                return out
            }
            let codes = results.compactMap { r -> ReactorError.Code? in if case .failure(let e) = r { e.code } else { nil } }
            #expect(codes == [.documentExists], "\(codes)")
        }
        let feedA = try await a.operations(afterOrdinal: 0, limit: 10_000).map(\.ordinal)
        #expect(feedA == feedA.sorted() && Set(feedA).count == feedA.count)
        try await a.close()
        try await b.close()
    }

    @Test func uniqueViolationOfAStreamPositionIsARevisionConflict() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try await Self.openStore(directory.path("store.sqlite"))
        _ = try await store.commit(Self.create("a", count: 3))
        // Simulate a foreign writer that stored operations without moving the stream revision.
        try await store.pool.write { db in try db.execute(sql: "UPDATE streams SET revision = 2 WHERE document_id = 'a'") }
        let result = await store.commit([Self.append("a", at: 2)])[0]
        guard case .failure(let error) = result else {
            Issue.record("the commit succeeded")
            return
        }
        #expect(error.code == .revisionConflict)
        #expect(error.isTransient)
        #expect(error.details["actual"] == "3")
        #expect(try await store.operations(in: StreamID(documentID: "a", scope: Scope.global), fromIndex: 0, limit: nil).count == 3)
        try await store.close()
    }

    @Test func busyDatabaseIsATransientStorageError() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("store.sqlite")
        let holder = try await Self.openStore(path)
        let waiter = try await Self.openStore(path, .init(busyTimeout: .milliseconds(100)))
        _ = try await holder.commit(Self.create("a"))
        let (locked, lockedContinuation) = AsyncStream.makeStream(of: Void.self)
        let release = DispatchSemaphore(value: 0)
        let result = await withTaskGroup(of: Result<CommitReceipt, ReactorError>?.self) { group in
            group.addTask {
                // Holds the write lock on GRDB's writer queue (not a cooperative thread) until the waiter's commit
                // has answered, however late a loaded machine runs it (60 s at most).
                try? await holder.pool.write { db in
                    try db.execute(sql: "UPDATE cursors SET ordinal = 0")
                    lockedContinuation.yield()
                    lockedContinuation.finish()
                    _ = release.wait(timeout: .now() + 60)
                }
                lockedContinuation.finish()  // also when the write failed: the waiter must not wait forever
                return nil
            }
            group.addTask {
                for await _ in locked { break }
                let outcome = await waiter.commit([Self.append("a", at: 1)])[0]
                release.signal()
                return outcome
            }
            var out: Result<CommitReceipt, ReactorError>?
            for await r in group where r != nil { out = r }
            return out
        }
        guard case .failure(let error)? = result else {
            Issue.record("expected a busy failure, got \(String(describing: result))")
            return
        }
        #expect(error.code == .storage)
        #expect(error.isTransient)
        // Once the lock is released the same commit succeeds.
        _ = try await waiter.commit(Self.append("a", at: 1))
        try await holder.close()
        try await waiter.close()
    }

    @Test func migrationsAreIdempotent() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("store.sqlite")
        let store = try await Self.openStore(path)
        try await store.migrate()
        _ = try await store.commit(Self.create("a", slug: "s", count: 2))
        try await store.migrate()
        try await store.close()
        let reopened = try await Self.openStore(path)
        try await reopened.migrate()
        let migrations = try await reopened.pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(migrations == ["v1", "v2", "v3", "v4", "v5", "v6", "v7"])
        #expect(try await reopened.documentID(forSlug: "s") == "a")
        #expect(try await reopened.revisions(documentID: "a", branch: Branch.main) == [Scope.global: 2])
        try await reopened.close()
    }

    /// A file of schema v1 (operations without origins) upgrades to v2: its operations read back with a nil origin,
    /// and sync records and origins work afterwards.
    @Test func upgradeFromV1KeepsOperations() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("store.sqlite")
        let store = try SQLiteStore(path: path)
        try SQLiteSchema.makeMigrator().migrate(store.pool, upTo: "v1")
        try await store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO operations (document_id, scope, branch, idx, op_id, skip, timestamp, hash, action_id, action_type,
                    action_scope, action_timestamp, input, context, error, document_type)
                VALUES ('old', 'global', 'main', 0, 'op-old', 0, 1000, 'h0', 'act-old', 'SET', 'global', 1000, '{}', NULL, NULL, 't')
                """)
        }
        #expect(try await store.pendingMigrations() == ["v2", "v3", "v4", "v5", "v6", "v7"])
        try await store.migrate()
        #expect(try await store.pendingMigrations().isEmpty)
        try await StoreConformance.checkUpgradedForSync(store, existingOperationIDs: ["op-old"])
        try await store.close()
    }

    @Test func concurrentMigrationsOfOneFile() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        for round in 0..<5 {
            let stores = try (0..<3).map { _ in try SQLiteStore(path: directory.path("store-\(round).sqlite")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await store.migrate() } }
                try await group.waitForAll()
            }
            _ = try await stores[1].commit(Self.create("a"))
            for store in stores { try await store.close() }
        }
    }

    @Test func groupCommitOfConcurrentDocuments() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try await Self.openStore(directory.path("store.sqlite"))
        let before = store.writeTransactionCount
        let receipts = try await withThrowingTaskGroup(of: CommitReceipt.self) { group in
            for i in 0..<100 { group.addTask { try await store.commit(Self.create("doc-\(i)", count: 1)) } }
            var out: [CommitReceipt] = []
            for try await receipt in group { out.append(receipt) }
            return out
        }
        #expect(receipts.count == 100)
        let ordinals = receipts.map { $0.records[0].ordinal }
        #expect(Set(ordinals).count == 100)
        let feed = try await store.operations(afterOrdinal: 0, limit: 1_000)
        #expect(feed.map(\.ordinal) == ordinals.sorted())
        #expect(Set(feed.map(\.stream.documentID)).count == 100)
        let transactions = store.writeTransactionCount - before
        #expect(transactions >= 1 && transactions < 100, "100 concurrent commits took \(transactions) transactions")
        try await store.close()
    }

    @Test func closedStoreFailsWithStorageErrors() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try await Self.openStore(directory.path("store.sqlite"))
        _ = try await store.commit(Self.create("a"))
        try await store.close()
        let result = await store.commit([Self.append("a", at: 1)])
        guard case .failure(let error) = result.first else {
            Issue.record("a commit after close succeeded")
            return
        }
        #expect(error.code == .storage)
        await #expect(throws: ReactorError.self) { try await store.header(id: "a") }
        await #expect(throws: ReactorError.self) { try await store.putSyncRecord(kind: "k", key: "a", value: "v") }
        await #expect(throws: ReactorError.self) { try await store.syncRecord(kind: "k", key: "a") }
        try await store.close()  // closing twice is harmless
    }

    @Test func countingStoreCounts() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = CountingStore(try await Self.openStore(directory.path("store.sqlite")))
        let stream = StreamID(documentID: "a", scope: Scope.global)
        let results = await store.commit([Self.create("a", count: 6), Self.create("a")])
        #expect(store.commits == 2)
        #expect(results.count == 2)
        _ = try await store.commit(Self.append("a", at: 6, count: 2))
        #expect(store.commits == 3)
        #expect(try await store.operations(in: stream, fromIndex: 2, limit: 3).map(\.index) == [2, 3, 4])
        #expect(store.operationsRead == 3)
        #expect(try await store.operations(in: stream, fromIndex: 0, limit: nil).count == 8)
        #expect(store.operationsRead == 11)
        #expect(try await store.operations(in: stream, fromIndex: 50, limit: nil).isEmpty)
        #expect(store.operationsRead == 11)
        _ = try await store.latestKeyframe(of: stream, atOrBefore: 3)
        _ = try await store.latestKeyframe(of: stream, atOrBefore: nil)
        #expect(store.keyframeReads == 2)
        _ = try await store.operations(afterOrdinal: 0, limit: 100)
        #expect(store.operationsRead == 11, "the ordinal feed is not counted as stream reads")
        store.resetCounts()
        #expect(store.operationsRead == 0 && store.keyframeReads == 0 && store.commits == 0)
        #expect(try await store.header(id: "a")?.id == "a")
        try await store.close()
    }
}
