import Foundation
import ReactorCore
@testable import ReactorEngine
import ReactorTesting
import Synchronization
import Testing

/// Write admission (backpressure): the pending work — jobs accepted and not finished, and their payload bytes — is
/// bounded per document and in total; a submission beyond a bound is refused whole, before anything of it exists,
/// and the budget comes back when a job ends, however it ends.
@Suite(.timeLimit(.minutes(2))) struct AdmissionTests {
    /// The refusal a submission gets (fails the test when it is accepted).
    static func refusal(_ submit: () async throws -> Void) async throws -> ReactorError {
        do {
            try await submit()
        } catch let error as ReactorError {
            return error
        }
        Issue.record("the submission was accepted")
        throw ReactorError(.internal, "the submission was accepted")
    }

    /// A job of `count` counter actions (its payload grows with `count`).
    static func adds(_ count: Int) -> [Action] { (0..<count).map { _ in Counter.add(1) } }

    @Test(arguments: StoreKind.allCases)
    func aDocumentsPendingJobsAreBounded(_ kind: StoreKind) async throws {
        let module = try await ReactorBuilder.testing(kind)
            .withAdmissionLimits(AdmissionLimits(maxPendingJobsPerDocument: 3)).buildModule()
        let reactor = module.reactor
        // The reactor does not run yet: what it accepts stays pending.
        _ = try await reactor.create(NewDocument(id: "a", documentType: Counter.documentType))
        _ = try await reactor.execute("a", actions: [Counter.add(1)])
        _ = try await reactor.execute("a", actions: [Counter.add(1)])
        let refused = try await Self.refusal { _ = try await reactor.execute("a", actions: [Counter.add(1)]) }
        #expect(refused.code == .tooManyPendingJobs)
        #expect(refused.details["documentId"] == "a")
        #expect(refused.details["resource"] == "jobs")
        #expect(refused.details["retryAfterSeconds"] == "1")
        #expect(refused.isTransient)
        #expect(reactor.pendingWork(of: "a").jobs == 3)
        // Another document is not held back by this one.
        _ = try await reactor.create(NewDocument(id: "b", documentType: Counter.documentType))
        #expect(reactor.pendingWork.jobs == 4)

        try await module.withRunning {
            try await eventually("every job ended and gave its budget back", timeout: .seconds(30)) { reactor.pendingWork == PendingWork() }
            try await reactor.waitForJob(try await reactor.execute("a", actions: [Counter.add(1)]).id)
        }
        #expect(Counter.value(try await reactor.get("a")) == 3, "the refused job was never written")
    }

    @Test(arguments: StoreKind.allCases)
    func aDocumentsPendingBytesAreBounded(_ kind: StoreKind) async throws {
        let create = Job(id: "x", documentID: "a", payload: .actions([NewDocument(id: "a", documentType: Counter.documentType).createAction]))
        let big = Job(id: "y", documentID: "a", payload: .actions(Self.adds(50)))
        let limit = create.payloadSize + 2 * big.payloadSize + 1_000
        let module = try await ReactorBuilder.testing(kind)
            .withAdmissionLimits(AdmissionLimits(maxPendingBytesPerDocument: limit)).buildModule()
        let reactor = module.reactor
        _ = try await reactor.create(NewDocument(id: "a", documentType: Counter.documentType))
        _ = try await reactor.execute("a", actions: Self.adds(50))
        _ = try await reactor.execute("a", actions: Self.adds(50))
        let refused = try await Self.refusal { _ = try await reactor.execute("a", actions: Self.adds(50)) }
        #expect(refused.code == .tooManyPendingJobs)
        #expect(refused.details["resource"] == "bytes")
        #expect(refused.details["limit"] == "\(limit)")
        // A small job still fits.
        _ = try await reactor.execute("a", actions: [Counter.add(1)])
        #expect(reactor.pendingWork(of: "a").bytes <= limit)
        try await module.withRunning {
            try await eventually("every job ended and gave its budget back", timeout: .seconds(30)) { reactor.pendingWork == PendingWork() }
        }
        #expect(Counter.value(try await reactor.get("a")) == 101)
    }

    @Test func theTotalIsBoundedInJobsAndBytes() async throws {
        let byJobs = try await ReactorBuilder.testing()
            .withAdmissionLimits(AdmissionLimits(maxPendingJobs: 3, overloadRetryAfterSeconds: 7)).build()
        for id in ["a", "b", "c"] { _ = try await byJobs.create(NewDocument(id: id, documentType: Counter.documentType)) }
        let overloaded = try await Self.refusal { _ = try await byJobs.create(NewDocument(id: "d", documentType: Counter.documentType)) }
        #expect(overloaded.code == .overloaded)
        #expect(overloaded.details["resource"] == "jobs")
        #expect(overloaded.details["retryAfterSeconds"] == "7")
        #expect(byJobs.pendingWork.jobs == 3)

        let one = Job(id: "y", documentID: "a", payload: .actions(Self.adds(50))).payloadSize
        let byBytes = try await ReactorBuilder.testing()
            .withAdmissionLimits(AdmissionLimits(maxPendingBytes: 2 * one + 10, maxPendingBytesPerDocument: 2 * one + 10)).build()
        _ = try await byBytes.execute("a", actions: Self.adds(50))
        _ = try await byBytes.execute("b", actions: Self.adds(50))
        let full = try await Self.refusal { _ = try await byBytes.execute("c", actions: Self.adds(50)) }
        #expect(full.code == .overloaded)
        #expect(full.details["resource"] == "bytes")
        #expect(byBytes.pendingWork == PendingWork(jobs: 2, bytes: 2 * one))
    }

    /// A batch is admitted whole or refused whole: refused, none of its jobs exists (no info, no event, nothing
    /// queued, no budget taken).
    @Test func aBatchIsAdmittedWholeOrRefusedWhole() async throws {
        let module = try await ReactorBuilder.testing()
            .withAdmissionLimits(AdmissionLimits(maxPendingJobsPerDocument: 3)).buildModule()
        let reactor = module.reactor
        let events = Collector<ReactorEventKind>()
        module.eventBus.subscribe(nil, delivery: .inline) { events.append($0.kind) }
        _ = try await reactor.execute("a", actions: [Counter.add(1)])
        _ = try await reactor.execute("a", actions: [Counter.add(1)])
        let before = (reactor.pendingWork, module.queue.pendingCount, events.values.count)
        let batch = [
            BatchJob(key: "b1", documentID: "b", actions: [Counter.add(1)]),
            BatchJob(key: "a1", documentID: "a", actions: [Counter.add(1)], dependsOn: ["b1"]),
            BatchJob(key: "a2", documentID: "a", actions: [Counter.add(1)], dependsOn: ["a1"]),
        ]
        let refused = try await Self.refusal { _ = try await reactor.executeBatch(batch) }
        #expect(refused.code == .tooManyPendingJobs)
        #expect(refused.details["documentId"] == "a")
        #expect(reactor.pendingWork == before.0)
        #expect(reactor.pendingWork(of: "b") == PendingWork(), "the batch's job on another document was refused too")
        #expect(module.queue.pendingCount == before.1)
        #expect(events.values.count == before.2, "no event of a refused job")
        #expect(module.jobTracker.count(where: [.pending]) == 2)

        let accepted = try await reactor.executeBatch(Array(batch.prefix(2)))
        #expect(accepted.count == 2)
        #expect(reactor.pendingWork(of: "a").jobs == 3)
    }

    /// A submission that could never fit is refused as too large, not with a retry hint.
    @Test func aSubmissionLargerThanALimitIsTooLarge() async throws {
        let reactor = try await ReactorBuilder.testing()
            .withAdmissionLimits(AdmissionLimits(maxPendingJobs: 10, maxPendingJobsPerDocument: 2)).build()
        let batch = (0..<3).map { BatchJob(key: "k\($0)", documentID: "a", actions: [Counter.add(1)]) }
        let tooLarge = try await Self.refusal { _ = try await reactor.executeBatch(batch) }
        #expect(tooLarge.code == .payloadTooLarge)
        #expect(tooLarge.details["size"] == "3")
        #expect(tooLarge.details["limit"] == "2")
        #expect(!tooLarge.isTransient)
        let spread = (0..<11).map { BatchJob(key: "k\($0)", documentID: "d\($0)", actions: [Counter.add(1)]) }
        let tooMany = try await Self.refusal { _ = try await reactor.executeBatch(spread) }
        #expect(tooMany.code == .payloadTooLarge)
        #expect(tooMany.details["limit"] == "10")
        #expect(reactor.pendingWork == PendingWork())
    }

    /// The budget comes back however a job ends: done, failed, its dependency failed, timed out.
    @Test(arguments: StoreKind.allCases)
    func theBudgetComesBackOnEveryEnding(_ kind: StoreKind) async throws {
        let gateName = UUID().uuidString
        let gate = ReducerGate.named(gateName)
        defer { gate.open() }
        let builder = try ReactorBuilder.testing(kind)
            // 6 s: long enough for an ordinary job of a loaded test run (3 s ran out once), short for the hung one.
            .withExecutorConfig(ExecutorConfig(jobTimeout: .seconds(6), reducersInline: false))
            .withAdmissionLimits(AdmissionLimits(maxPendingJobsPerDocument: 1))
        try await builder.withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "a")
            let idle = PendingWork()
            #expect(reactor.pendingWork == idle)
            // Done.
            let done = try await reactor.executeAndWait("a", [Counter.add(1)])
            #expect(done.status == .readReady)
            try await eventually("a done job's budget is back", timeout: .seconds(30)) { reactor.pendingWork == idle }
            // Failed (no such document).
            let failed = try await reactor.execute("missing", actions: [Counter.add(1)])
            #expect(try await reactor.waitForJobInfo(failed.id, timeout: .seconds(10)).error?.code == .documentNotFound)
            try await eventually("a failed job's budget is back", timeout: .seconds(30)) { reactor.pendingWork == idle }
            // Its dependency failed.
            let batch = try await reactor.executeBatch([
                BatchJob(key: "first", documentID: "missing", actions: [Counter.add(1)]),
                BatchJob(key: "second", documentID: "a", actions: [Counter.add(1)], dependsOn: ["first"]),
            ])
            let second = try await reactor.waitForJobInfo(batch["second"]!.id, timeout: .seconds(10))
            #expect(second.error?.code == .dependencyFailed)
            try await eventually("a job whose dependency failed gave its budget back", timeout: .seconds(30)) { reactor.pendingWork == idle }
            // Timed out (its reducer never returns); the document takes a new job at once.
            let hung = try await reactor.execute("a", actions: [Action(type: "HANG", input: ["gate": .string(gateName)])])
            #expect(try await reactor.waitForJobInfo(hung.id, timeout: .seconds(20)).error?.code == .jobTimeout)
            try await eventually("a timed-out job's budget is back", timeout: .seconds(30)) { reactor.pendingWork == idle }
            try await reactor.waitForJob(try await reactor.execute("a", actions: [Counter.add(1)]).id)
            gate.open()
            try await eventually("the hung reducer returned", timeout: .seconds(30)) { gate.returned == 1 }
        }
    }

    /// In a cluster a refused submission is refused before it is recorded: no other node could ever run it.
    @Test func aRefusedSubmissionIsNeverRecordedInTheLedger() async throws {
        let ledger = RecordingLedger()
        let reactor = try await ReactorBuilder.testing().withJobLedger(ledger)
            .withAdmissionLimits(AdmissionLimits(maxPendingJobsPerDocument: 1)).build()
        let accepted = try await reactor.execute("a", actions: [Counter.add(1)])
        let refused = try await Self.refusal { _ = try await reactor.execute("a", actions: [Counter.add(1)]) }
        #expect(refused.code == .tooManyPendingJobs)
        #expect(ledger.recorded == [accepted.id])
    }
}

/// A single node's ``JobLedger`` in memory, recording what the reactor records (the in-memory store ignores fences).
final class RecordingLedger: JobLedger {
    private let state = Mutex((recorded: [String](), finished: [String: JobInfo]()))
    let nodeID = "test-node"
    let heartbeatInterval = Duration.seconds(60)

    var recorded: [String] { state.withLock { $0.recorded } }
    var finished: [String: JobInfo] { state.withLock { $0.finished } }

    func join() async throws -> [TakenOverJob] { [] }
    func record(_ jobs: [Job]) async throws { state.withLock { $0.recorded += jobs.map(\.id) } }
    func waitForTurn(_ job: Job, timeout: Duration) async throws {}
    func mayWait(_ job: Job) -> Bool { false }
    func finish(_ job: Job, info: JobInfo) async throws { state.withLock { $0.finished[job.id] = info } }
    func heartbeat(takeOver: Bool) async throws -> [TakenOverJob] { [] }
    func info(of jobID: String) async throws -> JobInfo? { state.withLock { $0.finished[jobID] } }
    func leave() async {}
}
