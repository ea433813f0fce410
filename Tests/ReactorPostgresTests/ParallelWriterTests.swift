import PostgresNIO
import ReactorCore
@testable import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

/// Writers of different documents run in parallel (schema version 4): no lock serialises them, and the ordinal feed
/// still never skips an operation whose transaction commits late.
@Suite("PostgresStore parallel writers", .timeLimit(.minutes(5)))
struct ParallelWriterTests {
    /// Another node's write transaction, stuck in the middle of a commit to document "held" (it moved the stream and
    /// inserted an operation, numbered like the store numbers them, and has not committed): a commit to another
    /// document on another node completes meanwhile; the feed holds that commit back until the stuck transaction
    /// ends, then gives both in ordinal order, the stuck one (the older transaction) first.
    @Test func aTransactionHeldOpenOnOneDocumentDoesNotDelayACommitOnAnother() async throws {
        let configuration = try await PostgresTestSupport.configuration("parallel", poolSize: 4)
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let (a, b) = (stores[0], stores[1])
            let created = try await a.commit(PostgresStoreTests.create("held"))
            let before = try #require(created.records.last?.ordinal)
            try await eventually("the creation is in the feed") {
                try await b.operations(afterOrdinal: 0, limit: 10).map(\.ordinal) == [before]
            }
            let t = a.tables
            let opened = Shared(false)
            let release = Hold()
            release.arm()
            let otherCommit = Shared<CommitReceipt?>(nil)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await a.client.withConnection { c in
                        _ = try await c.query("BEGIN", logger: a.logger).collect()
                        _ = try await c.query(
                            "UPDATE \(unescaped: t.streams) SET revision = 2 WHERE document_id = 'held' AND revision = 1", logger: a.logger
                        ).collect()
                        _ = try await c.query("""
                            INSERT INTO \(unescaped: t.operations) (ordinal, document_id, scope, branch, idx, op_id, skip, op_timestamp, hash,
                                action_id, action_type, action_scope, action_timestamp, input, document_type)
                            VALUES (\(unescaped: t.schema).transaction_ordinal_base(), 'held', 'global', 'main', 1, 'held-op-1', 0, 1, 'h',
                                'held-action-1', 'SET', 'global', 1, '{}', 'test/doc')
                            """, logger: a.logger).collect()
                        opened.value.withLock { $0 = true }
                        await release.pass()
                        _ = try await c.query("COMMIT", logger: a.logger).collect()
                    }
                }
                try await eventually("the transaction on document 'held' is open") { opened.value.withLock { $0 } }
                let freeReceipt: CommitReceipt, page: PostgresStore.FeedPage
                do {
                    // A commit to the held document (on node a) waits for the stream row, then finds it moved.
                    group.addTask {
                        let result = await a.commit([PostgresStoreTests.append("held", at: 1)])[0]
                        guard case .failure(let error) = result, error.code == .revisionConflict, error.isTransient else {
                            throw ConformanceFailure("a commit behind the held transaction should conflict, got \(result)")
                        }
                    }
                    group.addTask {
                        let receipt = try await b.commit(PostgresStoreTests.create("free"))
                        otherCommit.value.withLock { $0 = receipt }
                    }
                    // The commit to another document (on node b) completes while the transaction is still open.
                    try await eventually("the commit to another document completes while a transaction holds document 'held'") {
                        otherCommit.value.withLock { $0 != nil }
                    }
                    freeReceipt = try #require(otherCommit.value.withLock { $0 })
                    // Held back: the feed must not pass the open transaction's (lower) ordinals.
                    page = try await b.feedPage(after: before, limit: 10)
                } catch {
                    release.release()
                    throw error
                }
                release.release()
                let free = try #require(freeReceipt.records.last?.ordinal)
                #expect(page.records.isEmpty)
                #expect(page.horizon <= free && page.newest == free)
                try await group.waitForAll()
                try await eventually("the feed gives both operations") {
                    try await b.operations(afterOrdinal: before, limit: 10).count == 2
                }
                let feed = try await b.operations(afterOrdinal: before, limit: 10)
                #expect(feed.map(\.operation.id) == ["held-op-1", freeReceipt.records[0].operation.id])
                #expect(feed.last?.ordinal == free)
                #expect(feed[0].ordinal < free)
            }
        }
    }

    /// Many commits of several stores on distinct documents run in parallel transactions: every ordinal is unique and
    /// the feed returns each operation once, in order.
    @Test func parallelCommitsOfTwoNodesGetDistinctOrdinals() async throws {
        let configuration = try await PostgresTestSupport.configuration("parallel_ordinals", poolSize: 4)
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let written = try await withThrowingTaskGroup(of: [OperationRecord].self) { group in
                for (n, store) in stores.enumerated() {
                    for w in 0..<4 {
                        group.addTask {
                            var out: [OperationRecord] = []
                            for i in 0..<20 { out += try await store.commit(PostgresStoreTests.create("n\(n)-w\(w)-\(i)", count: 2)).records }
                            return out
                        }
                    }
                }
                var all: [OperationRecord] = []
                for try await records in group { all += records }
                return all
            }
            #expect(Set(written.map(\.ordinal)).count == written.count)
            let feed = try await stores[0].operations(afterOrdinal: 0, limit: 1_000)
            #expect(feed.map(\.ordinal) == written.map(\.ordinal).sorted())
        }
    }
}

/// A value shared between tasks.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}
