import Foundation
import ReactorCore
@testable import ReactorEngine
import ReactorTesting
import Synchronization
import Testing

/// A document's queued jobs are prepared one on another and committed together (``ExecutorConfig/maxJobsPerCommit``),
/// and every job still ends exactly as it would have alone.
@Suite(.timeLimit(.minutes(3))) struct JobsCommittedTogetherTests {
    /// Counts the store's commit calls and the most commits one call carried; can fail one call's commits.
    final class BatchObservingStore: ForwardingStore, @unchecked Sendable {
        private let stats = Mutex((calls: 0, largest: 0, failNextBatchOf: 0))

        var calls: Int { stats.withLock { $0.calls } }
        var largest: Int { stats.withLock { $0.largest } }

        /// The next call carrying at least `size` commits fails them all with a transient error.
        func failNextBatch(ofAtLeast size: Int) { stats.withLock { $0.failNextBatchOf = size } }

        override func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
            let fail = stats.withLock { s -> Bool in
                s.calls += 1
                s.largest = max(s.largest, commits.count)
                guard s.failNextBatchOf > 0, commits.count >= s.failNextBatchOf else { return false }
                s.failNextBatchOf = 0
                return true
            }
            if fail {
                return commits.map { _ in .failure(ReactorError(.storage, "injected failure", isTransient: true)) }
            }
            return await base.commit(commits)
        }
    }

    /// Queues `actions` (one job each) on counter "c" before the executor starts, runs them, and returns the jobs'
    /// final infos, the stored global stream and the store.
    private func run(_ kind: StoreKind, maxJobsPerCommit: Int, actions: [Action], jobTimeout: Duration = .seconds(30),
                     before: @Sendable (BatchObservingStore) -> Void = { _ in })
        async throws -> (infos: [JobInfo], operations: [ReactorCore.Operation], store: BatchObservingStore, value: Int?) {
        let store = BatchObservingStore(try kind.makeStore())
        let module = try await ReactorBuilder.testing().withStore(store)
            .withExecutorConfig(ExecutorConfig(jobTimeout: jobTimeout, maxJobsPerCommit: maxJobsPerCommit)).buildModule()
        let reactor = module.reactor
        var jobs = [try await reactor.create(NewDocument(id: "c", documentType: Counter.documentType))]
        for action in actions { jobs.append(try await reactor.execute("c", actions: [action])) }
        before(store)
        let submitted = jobs
        return try await module.withRunning {
            var infos: [JobInfo] = []
            for job in submitted.dropFirst() { infos.append(try await reactor.jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(60))) }
            let operations = try await store.operations(in: StreamID(documentID: "c", scope: Scope.global, branch: Branch.main), fromIndex: 0, limit: nil)
            return (infos, operations, store, Counter.value(try await reactor.get("c")))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func queuedJobsOfADocumentShareCommitsAndKeepTheirOrder(_ kind: StoreKind) async throws {
        let actions = (0..<60).map { Counter.add($0, id: "add-\($0)") }
        let (infos, operations, store, value) = try await run(kind, maxJobsPerCommit: 16, actions: actions)
        #expect(infos.allSatisfy { $0.status == .readReady })
        #expect(operations.map(\.action.id) == actions.map(\.id))
        #expect(operations.map(\.index) == Array(0..<60))
        // Each job's token names its own operation.
        for (n, info) in infos.enumerated() {
            #expect(info.consistencyToken?.coordinates.map(\.operationIndex) == [n])
        }
        #expect(value == (0..<60).reduce(0, +))
        #expect(store.largest > 1, "queued jobs were committed together")
        #expect(store.largest <= 16)
        #expect(store.calls < 61)
    }

    /// Reducer errors, jobs that fail to prepare and jobs writing another scope, mixed in: every job's outcome and
    /// every stored operation is what one job per commit gives.
    @Test(arguments: StoreKind.allCases)
    func mixedJobsEndAsTheyWouldAlone(_ kind: StoreKind) async throws {
        var actions: [Action] = []
        for n in 0..<48 {
            switch n % 8 {
            case 3: actions.append(Action(id: "fail-\(n)", type: "FAIL"))
            case 5: actions.append(Action(id: "unknown-\(n)", type: "NO_SUCH_ACTION"))
            case 6: actions.append(Action(id: "name-\(n)", type: SystemAction.setName, scope: Scope.document, input: ["name": .string("name \(n)")]))
            default: actions.append(Counter.add(n, id: "add-\(n)"))
            }
        }
        let alone = try await run(kind, maxJobsPerCommit: 1, actions: actions)
        let together = try await run(kind, maxJobsPerCommit: 16, actions: actions)
        #expect(alone.store.largest == 1)
        #expect(together.store.largest > 1)
        let statuses: (JobInfo) -> String = { "\($0.status) \($0.error?.code.rawValue ?? "-")" }
        #expect(together.infos.map(statuses) == alone.infos.map(statuses))
        let stored: (ReactorCore.Operation) -> String = { "\($0.action.id) \($0.hash) \($0.error != nil)" }
        #expect(together.operations.map(stored) == alone.operations.map(stored))
        #expect(alone.infos.contains { $0.status == .failed }, "some jobs fail to prepare")
        #expect(together.value == alone.value)
    }

    /// A failed shared commit fails no job: the first is retried, the others run again alone, in order.
    @Test(arguments: StoreKind.allCases)
    func aFailedSharedCommitIsRetriedInOrder(_ kind: StoreKind) async throws {
        let actions = (0..<30).map { Counter.add(1, id: "add-\($0)") }
        let (infos, operations, store, value) = try await run(kind, maxJobsPerCommit: 8, actions: actions) { store in
            store.failNextBatch(ofAtLeast: 2)
        }
        #expect(infos.allSatisfy { $0.status == .readReady })
        #expect(operations.map(\.action.id) == actions.map(\.id))
        #expect(value == 30)
        #expect(store.largest > 1)
    }

    /// A reducer that never returns in a job riding along delays the jobs before it (they are committing: no
    /// timeout) until its own timeout; then they commit, it fails alone, and the jobs after it run as usual.
    @Test(arguments: StoreKind.allCases)
    func aHungJobRidingAlongTimesOutAloneAndTheOthersCommit(_ kind: StoreKind) async throws {
        let gateName = UUID().uuidString
        let gate = ReducerGate.named(gateName)
        defer { gate.open() }
        var actions = (0..<4).map { Counter.add(1, id: "before-\($0)") }
        actions.append(Action(id: "hang", type: "HANG", input: ["gate": .string(gateName)]))
        actions += (0..<4).map { Counter.add(1, id: "after-\($0)") }
        let (infos, operations, store, value) = try await run(kind, maxJobsPerCommit: 16, actions: actions, jobTimeout: .seconds(10))
        #expect(infos.map(\.status) == Array(repeating: .readReady, count: 4) + [.failed] + Array(repeating: .readReady, count: 4))
        #expect(infos[4].error?.code == .jobTimeout)
        #expect(operations.map(\.action.id) == actions.map(\.id).filter { $0 != "hang" })
        #expect(value == 8)
        #expect(store.largest > 1)
    }
}
