import ReactorCore
@testable import ReactorEngine
import ReactorTesting
import Synchronization
import Testing

/// Holds the commits of one document after the store wrote them (ordinals given), until released: a job that lost
/// the race to the read side.
final class GatedStore: ForwardingStore, @unchecked Sendable {
    private struct State {
        var armed = false
        var held: [CheckedContinuation<Void, Never>] = []
        var heldOrdinals: [Int64] = []
    }

    let gatedDocument: String
    private let state = Mutex(State())

    init(_ base: any ReactorStore, gating documentID: String) {
        self.gatedDocument = documentID
        super.init(base)
    }

    func arm() { state.withLock { $0.armed = true } }

    var heldOrdinals: [Int64] { state.withLock { $0.heldOrdinals } }

    func release() {
        let held = state.withLock { s in
            s.armed = false
            defer { s.held = [] }
            return s.held
        }
        for continuation in held { continuation.resume() }
    }

    override func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        let results = await base.commit(commits)
        let ordinals = zip(commits, results).filter { $0.0.header.id == gatedDocument }
            .flatMap { (try? $0.1.get().records.map(\.ordinal)) ?? [] }
        guard !ordinals.isEmpty else { return results }
        await withCheckedContinuation { continuation in
            let hold = state.withLock { s -> Bool in
                guard s.armed else { return false }
                s.held.append(continuation)
                s.heldOrdinals += ordinals
                return true
            }
            if !hold { continuation.resume() }
        }
        return results
    }
}

@Suite(.timeLimit(.minutes(1)))
struct OrderingTests {
    @Test func theWatermarkStaysBelowACommitUnderWay() {
        let watermark = ReadyWatermark()
        watermark.start(at: 4)
        let slow = watermark.beginCommit()   // will get ordinal 5
        let fast = watermark.beginCommit()   // will get ordinal 6
        watermark.endCommit(fast, ordinals: [6])
        watermark.ready([6])
        #expect(watermark.value == 4, "ordinal 5 is not read-ready: processors must not pass it")
        watermark.endCommit(slow, ordinals: [5])
        #expect(watermark.value == 4)
        watermark.ready([5])
        #expect(watermark.value == 6)
        let failed = watermark.beginCommit()
        watermark.endCommit(failed, ordinals: [])
        #expect(watermark.value == 6)
    }

    /// A later job that commits and becomes read-ready first does not move the processors' watermark past an earlier
    /// job's ordinals whose read models have not run.
    @Test(arguments: StoreKind.allCases)
    func processorsNeverPassAnEarlierJobsOrdinals(_ kind: StoreKind) async throws {
        let store = GatedStore(try kind.makeStore(), gating: "slow")
        try await ReactorBuilder.testing().withStore(store).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "slow")
            _ = try await reactor.createCounter(id: "fast")
            store.arm()
            // Whatever fails below, the held commit is let go, or the reactor could not stop (the test would hang).
            defer { store.release() }
            let slowJob = try await reactor.execute("slow", actions: [Counter.add(1)])
            try await eventually("the slow job's commit is held", timeout: .seconds(30)) { !store.heldOrdinals.isEmpty }
            let slowOrdinal = try #require(store.heldOrdinals.min())
            try await reactor.waitForJob(try await reactor.execute("fast", actions: [Counter.add(2)]).id)
            #expect(module.reactor.watermark.value < slowOrdinal)
            store.release()
            try await reactor.waitForJob(slowJob.id)
            #expect(module.reactor.watermark.value >= slowOrdinal + 1)
        }
    }
}
