import Foundation
import ReactorCore
import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

/// The ordinal feed never skips an operation, even while several nodes commit at once: a follower that reads
/// `operations(afterOrdinal:)` from its last ordinal sees every operation exactly once, in increasing order.
@Suite("PostgresStore ordinal feed", .timeLimit(.minutes(10)))
struct OrdinalFeedTests {
    @Test func followerNeverSkipsWhileThreeNodesCommit() async throws {
        let configuration = try await PostgresTestSupport.configuration("feed", poolSize: 6)
        try await PostgresTestSupport.withStores(configuration, count: 4) { stores in
            let writers = Array(stores.prefix(3))
            let reader = stores[3]
            let writersPerNode = 6
            let commitsPerWriter = 40
            let done = DoneFlag()
            let (written, followed) = try await withThrowingTaskGroup(of: [OperationRecord].self) { group in
                group.addTask {
                    // The follower: polls from its last ordinal, as a processor or a sync channel does.
                    var seen: [OperationRecord] = []
                    var last: Int64 = 0
                    while true {
                        let finished = done.value.load(ordering: .acquiring)
                        let page = try await reader.operations(afterOrdinal: last, limit: 50)
                        seen += page
                        last = page.last?.ordinal ?? last
                        if page.isEmpty {
                            if finished { return seen }
                            await Task.yield()
                        }
                    }
                }
                let records = try await withThrowingTaskGroup(of: [OperationRecord].self) { writersGroup in
                    for (n, store) in writers.enumerated() {
                        for w in 0..<writersPerNode {
                            writersGroup.addTask {
                                var out: [OperationRecord] = []
                                for i in 0..<commitsPerWriter {
                                    let id = "n\(n)-w\(w)-d\(i)"
                                    out += try await store.commit(PostgresStoreTests.create(id, count: 1 + i % 3)).records
                                }
                                return out
                            }
                        }
                    }
                    var all: [OperationRecord] = []
                    for try await records in writersGroup { all += records }
                    return all
                }
                done.value.store(true, ordering: .releasing)
                var followed: [OperationRecord] = []
                for try await seen in group { followed = seen }
                return (records, followed)
            }
            let expectedCount = 3 * writersPerNode * (0..<commitsPerWriter).reduce(0) { $0 + 1 + $1 % 3 }
            #expect(written.count == expectedCount)
            #expect(zip(followed, followed.dropFirst()).allSatisfy { $0.ordinal < $1.ordinal }, "the follower saw ordinals out of order")
            let missing = Set(written.map(\.ordinal)).subtracting(followed.map(\.ordinal))
            #expect(missing.count == 0, "the follower skipped \(missing.count) operations, e.g. \(missing.sorted().prefix(5))")
            #expect(followed.count == written.count, "the follower saw \(followed.count) operations, \(written.count) were written")
            let sameOperations = Set(followed.map(\.operation.id)) == Set(written.map(\.operation.id))
            #expect(sameOperations, "the follower saw other operations than those written")
        }
    }
}

/// A flag shared between tasks.
final class DoneFlag: Sendable {
    let value = Atomic<Bool>(false)
}
