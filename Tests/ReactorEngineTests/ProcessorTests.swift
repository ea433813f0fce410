import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorTesting
import Synchronization
import Testing

/// Records what it processed; can be told to stop (throw) after a number of operations.
final class RecordingProcessor: Processor {
    let name: String
    let filter: OperationFilter?
    private let state = Mutex((seen: [Int64](), failAfter: Int?.none, failures: 0))

    init(name: String, filter: OperationFilter? = nil, failAfter: Int? = nil) {
        self.name = name
        self.filter = filter
        state.withLock { $0.failAfter = failAfter }
    }

    func process(_ records: [OperationRecord]) async throws {
        try state.withLock { s in
            if let limit = s.failAfter, s.seen.count + records.count > limit {
                s.failures += 1
                throw ReactorError(.internal, "processor told to stop")
            }
            s.seen += records.map(\.ordinal)
        }
    }

    var seen: [Int64] { state.withLock { $0.seen } }
    var failures: Int { state.withLock { $0.failures } }
}

@Suite(.timeLimit(.minutes(3))) struct ProcessorTests {
    /// Scenario 9: a processor stopped mid-stream and restarted resumes from its cursor and sees every operation.
    @Test(arguments: StoreKind.allCases)
    func processorResumesFromCursorAfterRestart(_ kind: StoreKind) async throws {
        let firstStore = try kind.makeStore()
        let first = RecordingProcessor(name: "audit", filter: OperationFilter(scopes: [Scope.global]), failAfter: 25)
        try await ReactorBuilder.testing().withStore(firstStore).withProcessor(first).withReactor { module in
            let doc = try await module.reactor.createCounter(id: "p")
            for i in 0..<40 { try await module.reactor.executeAndWait(doc.id, [Counter.add(i)]) }
            try await eventually("the processor reached its failure point") { first.failures > 0 }
        }
        let firstSeen = first.seen
        #expect(firstSeen.count <= 25)
        // Restart: the same data (for SQLite, the file closed and opened again).
        let store = try await kind.reopen(firstStore)
        let cursor = try #require(try await store.cursor(named: "audit"))
        #expect(cursor > 0)

        // A new reactor on the same store: the processor resumes and sees every global operation exactly once more
        // at most (at-least-once), and nothing is skipped.
        let second = RecordingProcessor(name: "audit", filter: OperationFilter(scopes: [Scope.global]))
        try await ReactorBuilder.testing().withStore(store).withProcessor(second).withReactor { module in
            try await module.reactor.executeAndWait("p", [Counter.add(1)])
            try await eventually("the restarted processor saw every operation") { Set(firstSeen + second.seen).count >= 41 }
        }
        let all = try await store.operations(afterOrdinal: 0, limit: 1_000).filter { $0.stream.scope == Scope.global }.map(\.ordinal)
        #expect(all.count == 41)
        #expect(Set(firstSeen + second.seen) == Set(all))
        #expect(second.seen == second.seen.sorted())
        #expect(second.seen.first.map { $0 > cursor } ?? false)
    }

    @Test(arguments: StoreKind.allCases)
    func readModelsRunBeforeReadReady(_ kind: StoreKind) async throws {
        final class Indexer: ReadModel {
            let name = "indexer"
            let count = Mutex(0)
            func indexOperations(_ records: [OperationRecord]) async throws { count.withLock { $0 += records.count } }
        }
        let indexer = Indexer()
        try await ReactorBuilder.testing(kind).withReadModel(indexer).withReactor { module in
            let doc = try await module.reactor.createCounter()
            try await module.reactor.executeAndWait(doc.id, [Counter.add(1), Counter.add(2)])
            #expect(indexer.count.withLock { $0 } == 3)
        }
    }
}
