import Foundation
import PostgresNIO
import ReactorCore
@testable import ReactorPostgres
import ReactorTesting
import Testing

@Suite("PostgresStore", .timeLimit(.minutes(10)))
struct PostgresStoreTests {
    static let documentType = "reactor/postgres-test"

    static func header(_ id: String, slug: String? = nil) -> DocumentHeader {
        DocumentHeader(id: id, slug: slug, name: "name of \(id)", documentType: documentType, createdAt: 1, lastModifiedAt: 2, meta: ["k": "v"])
    }

    static func operations(_ stream: StreamID, from index: Int, count: Int) -> [ReactorCore.Operation] {
        (index..<index + count).map { i in
            let actionID = UUID().uuidString
            return ReactorCore.Operation(
                id: OperationID.make(stream: stream, actionID: actionID), index: i, timestamp: 1_000 + Int64(i), hash: "h\(i)",
                action: Action(id: actionID, type: "SET", scope: stream.scope, input: ["i": .number(Double(i)), "s": "ü✓\u{0}"], timestamp: 1_000 + Int64(i)))
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

    /// Commits on several stores at once; returns each result.
    static func race(_ commits: [(PostgresStore, Commit)]) async -> [Result<CommitReceipt, ReactorError>] {
        await withTaskGroup(of: Result<CommitReceipt, ReactorError>.self) { group in
            for (store, commit) in commits { group.addTask { await store.commit([commit])[0] } }
            var out: [Result<CommitReceipt, ReactorError>] = []
            for await r in group { out.append(r) }
            return out
        }
    }

    @Test func migratingTwiceIsANoOp() async throws {
        try await PostgresTestSupport.withStore("migrate") { store in
            _ = try await store.commit(Self.create("a", slug: "s", count: 2))
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8])
            #expect(try await store.documentID(forSlug: "s") == "a")
            #expect(try await store.revisions(documentID: "a", branch: Branch.main) == [Scope.global: 2])
        }
    }

    /// A schema at version 2 (operations without origins) upgrades to 3: its operations read back with a nil
    /// origin, and sync records and origins work afterwards.
    @Test func upgradeFromVersion2KeepsOperations() async throws {
        let configuration = try await PostgresTestSupport.configuration("upgrade")
        try await PostgresTestSupport.withStores(configuration, count: 1, migrate: false) { stores in
            let store = stores[0]
            let t = store.tables
            try await store.client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(t.schema)"))
            try await store.client.query(PostgresQuery(unsafeSQL: PostgresSchema.migrationsTable(schema: t.schema)))
            for migration in PostgresSchema.migrations(schema: t.schema) where migration.version <= 2 {
                for statement in migration.statements { try await store.client.query(PostgresQuery(unsafeSQL: statement)) }
                try await store.client.query(PostgresQuery(
                    unsafeSQL: "INSERT INTO \(t.migrations) (version, name) VALUES (\(migration.version), 'v\(migration.version)')"))
            }
            try await store.client.query(PostgresQuery(unsafeSQL: """
                INSERT INTO \(t.operations) (document_id, scope, branch, idx, op_id, skip, op_timestamp, hash, action_id, action_type,
                    action_scope, action_timestamp, input, context, error_json, document_type)
                VALUES ('old', 'global', 'main', 0, 'op-old', 0, 1000, 'h0', 'act-old', 'SET', 'global', 1000, '{}', NULL, NULL, 't')
                """))
            #expect(try await store.pendingMigrations() == [
                "3: sync: operation origins, sync records",
                "4: parallel writers: ordinals from transaction ids, the feed's horizon",
                "5: identity: users, refresh-token sessions, API keys",
                "6: functions: function records and versions",
                "7: document models registered at run time",
                "8: AI gateway usage records",
            ])
            try await store.migrate()
            #expect(try await store.appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8])
            try await StoreConformance.checkUpgradedForSync(store, existingOperationIDs: ["op-old"])
            // Version 4: the identity ordinal of the old operation stays, new ones are numbered above it, and the
            // feed reads both in order.
            let fresh = try await store.commit(Self.create("after-v4"))
            let feed = try await store.operations(afterOrdinal: 0, limit: 100)
            #expect(feed.first?.operation.id == "op-old")
            #expect(feed.first?.ordinal == 1)
            #expect(feed.last?.ordinal == fresh.records.last?.ordinal)
            #expect(zip(feed, feed.dropFirst()).allSatisfy { $0.ordinal < $1.ordinal })
            #expect(try await store.completeOrdinal() == fresh.records.last?.ordinal)
        }
    }

    @Test func storesMigrateConcurrently() async throws {
        for _ in 0..<3 {
            let configuration = try await PostgresTestSupport.configuration("migrate_race")
            try await PostgresTestSupport.withStores(configuration, count: 3, migrate: false) { stores in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for store in stores { group.addTask { try await store.migrate() } }
                    try await group.waitForAll()
                }
                #expect(try await stores[2].appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8])
                _ = try await stores[1].commit(Self.create("a"))
                #expect(try await stores[0].header(id: "a") != nil)
            }
        }
    }

    @Test func twoStoresRaceOnAStream() async throws {
        let configuration = try await PostgresTestSupport.configuration("race")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let (a, b) = (stores[0], stores[1])
            for round in 0..<30 {
                let id = "doc-\(round)"
                _ = try await a.commit(Self.create(id, count: round % 3))
                let revision = round % 3
                let results = await Self.race([(a, Self.append(id, at: revision, count: 2)), (b, Self.append(id, at: revision, count: 2))])
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
            for round in 0..<10 {
                let commit = Self.create("both-\(round)")
                let results = await Self.race([(a, commit), (b, commit)])
                let codes = results.compactMap { r -> ReactorError.Code? in if case .failure(let e) = r { e.code } else { nil } }
                #expect(codes == [.documentExists], "\(codes)")
            }
        }
    }

    /// The same typed error as the SQLite store when another writer stored operations without moving the revision.
    @Test func uniqueViolationOfAStreamPositionIsARevisionConflict() async throws {
        try await PostgresTestSupport.withStore("position") { store in
            _ = try await store.commit(Self.create("a", count: 3))
            try await store.client.query(PostgresQuery(unsafeSQL: "UPDATE \(store.tables.streams) SET revision = 2 WHERE document_id = 'a'"))
            for batch in [[Self.append("a", at: 2)], [Self.create("b"), Self.append("a", at: 2), Self.create("c")]] {
                let results = await store.commit(batch)
                let result = results[batch.count == 1 ? 0 : 1]
                guard case .failure(let error) = result else {
                    Issue.record("the commit succeeded")
                    return
                }
                #expect(error.code == .revisionConflict)
                #expect(error.isTransient)
                #expect(error.details["actual"] == "3", "\(error.debugDescription)")
                #expect(error.details["expected"] == "2")
                if batch.count == 3 {
                    #expect(results.filter { if case .success = $0 { true } else { false } }.count == 2, "the other commits of the batch fail alone")
                }
            }
            #expect(try await store.operations(in: StreamID(documentID: "a", scope: Scope.global), fromIndex: 0, limit: nil).count == 3)
        }
    }

    @Test func groupCommitOfConcurrentDocuments() async throws {
        try await PostgresTestSupport.withStore("group") { store in
            let before = store.writeTransactionCount
            let receipts = try await withThrowingTaskGroup(of: CommitReceipt.self) { group in
                for i in 0..<200 { group.addTask { try await store.commit(Self.create("doc-\(i)", count: 1)) } }
                var out: [CommitReceipt] = []
                for try await receipt in group { out.append(receipt) }
                return out
            }
            let ordinals = receipts.map { $0.records[0].ordinal }
            #expect(Set(ordinals).count == 200)
            let feed = try await store.operations(afterOrdinal: 0, limit: 1_000)
            #expect(feed.map(\.ordinal) == ordinals.sorted())
            let transactions = store.writeTransactionCount - before
            #expect(transactions >= 1 && transactions < 200, "200 concurrent commits took \(transactions) transactions")
        }
    }

    @Test func textWithNULRoundTrips() async throws {
        try await PostgresTestSupport.withStore("nul") { store in
            var commit = Self.create("a")
            commit.header.name = "a\u{0}b"
            commit.header.meta = ["x\u{0}": "\u{0}"]
            let stream = StreamID(documentID: "a", scope: Scope.global)
            commit.appends[0].operations[0].error = "failed: \u{0} and \"quotes\""
            commit.keyframes = [Keyframe(stream: stream, index: 0, state: ["s": "\u{0}"], hash: "k")]
            let receipt = try await store.commit(commit)
            #expect(try await store.header(id: "a") == commit.header)
            #expect(try await store.operations(in: stream, fromIndex: 0, limit: nil) == commit.appends[0].operations)
            #expect(try await store.operations(afterOrdinal: 0, limit: 10) == receipt.records)
            #expect(try await store.latestKeyframe(of: stream, atOrBefore: nil) == commit.keyframes[0])
            // A NUL in an id cannot be stored in a PostgreSQL text column: a typed error, not a crash.
            let bad = await store.commit([Self.create("bad\u{0}id")])
            guard case .failure(let error) = bad[0] else {
                Issue.record("a NUL in a document id was accepted")
                return
            }
            #expect(error.code == .invalidInput, "\(error.debugDescription)")
        }
    }

    @Test func closedStoreFailsWithStorageErrors() async throws {
        try await PostgresTestSupport.withStore("closed") { store in
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
            try await store.close()
        }
    }

    @Test func runningTwiceIsRefused() async throws {
        try await PostgresTestSupport.withStore("twice") { store in
            await #expect(throws: ReactorError.self) { try await store.run() }
        }
    }

    @Test func jobRecordsRoundTrip() async throws {
        try await PostgresTestSupport.withStore("jobs") { store in
            let records = PostgresJobRecords(store: store)
            #expect(try await records.get("missing") == nil)
            var info = JobInfo(id: "job-1", documentID: "doc", status: .pending, createdAt: 100)
            try await records.upsert(PostgresJobRecord(info: info))
            #expect(try await records.get("job-1") == PostgresJobRecord(info: info))
            info.status = .failed
            info.updatedAt = 200
            info.attempts = 2
            info.error = ReactorError(.revisionConflict, "lost ✓", details: ["stream": "doc/global/main"], isTransient: true)
            info.consistencyToken = ConsistencyToken(createdAt: 150, coordinates: [
                .init(documentID: "doc", scope: Scope.global, branch: Branch.main, operationIndex: 4),
            ])
            let claimed = PostgresJobRecord(info: info, claimedBy: "node-a", claimedUntil: 500)
            try await records.upsert(claimed)
            #expect(try await records.get("job-1") == claimed)
            var second = claimed
            second.info.createdAt = 999
            try await records.upsert(second)
            #expect(try await records.get("job-1")?.info.createdAt == 100, "createdAt is kept from the first insert")
        }
    }
}
