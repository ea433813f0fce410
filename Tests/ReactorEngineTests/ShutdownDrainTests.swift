import Foundation
import Logging
import ReactorCore
@testable import ReactorEngine
import ReactorTesting
import Synchronization
import Testing

/// The shutdown's drain deadline: a shutdown waits for accepted jobs up to ``ExecutorConfig/shutdownDrainTimeout``;
/// what is still queued or running then fails with `SHUTDOWN_DEADLINE` — in the tracker, in the ledger, as an event,
/// in the log — and a job already committing finishes its commit. One case at a time: the hung reducers hold threads.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ShutdownDrainTests {
    static func hang(_ gate: String) -> Action { Action(type: "HANG", input: ["gate": .string(gate)]) }

    @Test(arguments: StoreKind.allCases)
    func theDeadlineFailsWhatIsLeftAndRecordsIt(_ kind: StoreKind) async throws {
        let gateName = UUID().uuidString
        let gate = ReducerGate.named(gateName)
        defer { gate.open() }
        let ledger = RecordingLedger()
        let logs = LogCapture()
        let module = try await ReactorBuilder.testing(kind)
            .withExecutorConfig(ExecutorConfig(jobTimeout: .seconds(60), reducersInline: false, shutdownDrainTimeout: .milliseconds(500)))
            .withJobLedger(ledger).withLogger(logs.logger).buildModule()
        let reactor = module.reactor
        let failures = Collector<(id: String, code: ReactorError.Code)>()
        module.eventBus.subscribe([.jobFailed], delivery: .inline) { event in
            if case .jobFailed(let info, let error) = event { failures.append((info.id, error.code)) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reactor.run() }
            _ = try await reactor.createCounter(id: "slow")
            let done = try await reactor.executeAndWait("slow", [Counter.add(1)])
            let hung = try await reactor.execute("slow", actions: [Self.hang(gateName)])
            var left = [hung]
            for _ in 0..<5 { left.append(try await reactor.execute("slow", actions: [Counter.add(1)])) }
            try await eventually("the hung job runs", timeout: .seconds(30)) { gate.blocked == 1 }

            let start = ContinuousClock.now
            let handle = reactor.kill()
            let ended = await Self.returns(within: .seconds(30), { await handle.completed() }, otherwise: { gate.open() })
            let took = start.duration(to: .now)
            try await group.waitForAll()
            #expect(ended, "the shutdown ended at its drain deadline (it took \(took))")
            #expect(took >= .milliseconds(500))

            #expect(try reactor.jobStatus(done.id).status == .readReady)
            for job in left {
                let info = try reactor.jobStatus(job.id)
                #expect(info.status == .failed)
                #expect(info.error?.code == .shutdownDeadline)
                #expect(ledger.finished[job.id]?.status == .failed)
                #expect(ledger.finished[job.id]?.error?.code == .shutdownDeadline)
            }
            let announced = failures.values.filter { $0.code == .shutdownDeadline }.map(\.id)
            #expect(announced.sorted() == left.map(\.id).sorted())
            let logged = logs.entries.filter { $0.message.contains("drain deadline passed before it finished") }
            #expect(logged.compactMap { $0.metadata["jobId"] }.sorted() == left.map(\.id).sorted(), "one log line per job")
            #expect(reactor.pendingWork == PendingWork())
        }
        gate.open()
        try await eventually("the hung reducer returned", timeout: .seconds(30)) { gate.returned == 1 }
        let after = try await reactor.get("slow")
        #expect(Counter.value(after) == 1, "nothing of a job failed at the deadline was written")
        #expect(after.header.revision[Scope.global] == 1)
    }

    /// A job whose commit is under way at the deadline finishes it (an acknowledged write is never lost); the jobs
    /// queued behind it fail. (One job per commit here; with jobs committed together, see the test below.)
    @Test(arguments: StoreKind.allCases)
    func aJobCommittingAtTheDeadlineFinishesItsCommit(_ kind: StoreKind) async throws {
        let store = GatedStore(try kind.makeStore(), gating: "g")
        let module = try await ReactorBuilder.testing().withStore(store)
            .withExecutorConfig(ExecutorConfig(shutdownDrainTimeout: .milliseconds(300), maxJobsPerCommit: 1)).buildModule()
        let reactor = module.reactor
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reactor.run() }
            _ = try await reactor.createCounter(id: "g")
            store.arm()
            let committing = try await reactor.execute("g", actions: [Counter.add(1)])
            var queued: [JobInfo] = []
            for _ in 0..<3 { queued.append(try await reactor.execute("g", actions: [Counter.add(1)])) }
            try await eventually("the commit is written and not returned yet", timeout: .seconds(30)) { !store.heldOrdinals.isEmpty }

            let handle = reactor.kill()
            do {
                try await eventually("the drain deadline passed", timeout: .seconds(30)) { reactor.isDrainExpired }
            } catch {
                store.release()  // let the reactor stop, so that the failure is reported rather than hanging
                throw error
            }
            #expect(try reactor.jobStatus(committing.id).status == .running)
            store.release()
            await handle.completed()
            try await group.waitForAll()

            #expect(try reactor.jobStatus(committing.id).status == .readReady)
            for job in queued { #expect(try reactor.jobStatus(job.id).error?.code == .shutdownDeadline) }
            #expect(reactor.pendingWork == PendingWork())
        }
        #expect(Counter.value(try await reactor.get("g")) == 1)
    }

    /// With a document's queued jobs committed together, the jobs in the commit under way at the deadline all finish
    /// it, the others fail, and exactly the finished ones are in the document.
    @Test(arguments: StoreKind.allCases)
    func jobsCommittedTogetherAtTheDeadlineFinishTheirCommit(_ kind: StoreKind) async throws {
        let store = GatedStore(try kind.makeStore(), gating: "g")
        let module = try await ReactorBuilder.testing().withStore(store)
            .withExecutorConfig(ExecutorConfig(shutdownDrainTimeout: .milliseconds(300))).buildModule()
        let reactor = module.reactor
        var jobs: [JobInfo] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reactor.run() }
            _ = try await reactor.createCounter(id: "g")
            store.arm()
            for _ in 0..<6 { jobs.append(try await reactor.execute("g", actions: [Counter.add(1)])) }
            try await eventually("a commit is written and not returned yet", timeout: .seconds(30)) { !store.heldOrdinals.isEmpty }
            let handle = reactor.kill()
            do {
                try await eventually("the drain deadline passed", timeout: .seconds(30)) { reactor.isDrainExpired }
            } catch {
                store.release()
                throw error
            }
            store.release()
            await handle.completed()
            try await group.waitForAll()
        }
        var finished = 0
        for job in jobs {
            let info = try reactor.jobStatus(job.id)
            if info.status == .readReady { finished += 1 } else { #expect(info.error?.code == .shutdownDeadline) }
        }
        #expect(finished >= 1, "the job whose commit was under way finished it")
        #expect(Counter.value(try await reactor.get("g")) == finished)
        #expect(reactor.pendingWork == PendingWork())
    }

    /// A server starts the clock at the signal, while it still serves requests: work is accepted until the deadline,
    /// then refused, and the reactor stops.
    @Test func theClockCanStartBeforeTheShutdown() async throws {
        try await ReactorBuilder.testing().withExecutorConfig(ExecutorConfig(shutdownDrainTimeout: .milliseconds(300))).withReactor { module in
            let reactor = module.reactor
            reactor.startShutdownClock()
            #expect(!reactor.isShutdown)
            _ = try await reactor.execute("c", actions: [Counter.add(1)])
            try await eventually("the deadline passed and intake stopped", timeout: .seconds(30)) { reactor.isShutdown }
            let refused = try await AdmissionTests.refusal { _ = try await reactor.execute("c", actions: [Counter.add(1)]) }
            #expect(refused.code == .shutdown)
        }
    }

    /// Whether `body` returned within `limit`; if not, `otherwise` runs (to unblock it) and this waits for it.
    static func returns(within limit: Duration, _ body: @escaping @Sendable () async -> Void,
                        otherwise unblock: @escaping @Sendable () -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await body()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            if !first { unblock() }
            group.cancelAll()
            await group.waitForAll()
            return first
        }
    }
}

/// Keeps what is logged, for tests that check log lines.
final class LogCapture: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let captured = Mutex<[Entry]>([])

    var entries: [Entry] { captured.withLock { $0 } }

    /// A logger writing here (every level).
    var logger: Logger {
        var logger = Logger(label: "reactor-test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let entry = Entry(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" })
            capture.captured.withLock { $0.append(entry) }
        }
    }
}
