import PostgresNIO
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

/// A ledger that forwards to a real one, with faults a test switches on: `finish` failing, and `record` held until
/// released.
final class FaultyLedger: JobLedger {
    private struct State {
        var failFinish = false
        var finishFailures = 0
        var holdRecords = false
        var held: [CheckedContinuation<Void, Never>] = []
        var recordCalls = 0
    }

    let base: PostgresJobLedger
    private let state = Mutex(State())

    init(_ base: PostgresJobLedger) { self.base = base }

    func failFinish(_ on: Bool) { state.withLock { $0.failFinish = on } }
    var finishFailures: Int { state.withLock { $0.finishFailures } }
    var recordCalls: Int { state.withLock { $0.recordCalls } }
    var heldRecords: Int { state.withLock { $0.held.count } }
    func holdRecords() { state.withLock { $0.holdRecords = true } }
    func releaseRecords() {
        let held = state.withLock { s in
            s.holdRecords = false
            defer { s.held = [] }
            return s.held
        }
        for continuation in held { continuation.resume() }
    }

    var nodeID: String { base.nodeID }
    var heartbeatInterval: Duration { base.heartbeatInterval }
    func join() async throws -> [TakenOverJob] { try await base.join() }
    func record(_ jobs: [Job]) async throws {
        await withCheckedContinuation { continuation in
            let hold = state.withLock { s -> Bool in
                s.recordCalls += 1
                guard s.holdRecords else { return false }
                s.held.append(continuation)
                return true
            }
            if !hold { continuation.resume() }
        }
        try await base.record(jobs)
    }
    func waitForTurn(_ job: Job, timeout: Duration) async throws { try await base.waitForTurn(job, timeout: timeout) }
    func mayWait(_ job: Job) -> Bool { base.mayWait(job) }
    func finish(_ job: Job, info: JobInfo) async throws {
        let fail = state.withLock { s -> Bool in
            if s.failFinish { s.finishFailures += 1 }
            return s.failFinish
        }
        if fail { throw ReactorError(.storage, "injected: the ledger is unreachable", isTransient: true) }
        try await base.finish(job, info: info)
    }
    func heartbeat(takeOver: Bool) async throws -> [TakenOverJob] { try await base.heartbeat(takeOver: takeOver) }
    func info(of jobID: String) async throws -> JobInfo? { try await base.info(of: jobID) }
    func leave() async { await base.leave() }
}

/// Faults injected in the job ledger: a job end that cannot be recorded does not block its document for good, and a
/// submission refused during shutdown never exists in the ledger for another node to run.
@Suite("Job ledger faults", .timeLimit(.minutes(3)))
struct LedgerFaultTests {
    static func statuses(_ store: PostgresStore, _ schema: String) async throws -> [String: String] {
        let rows = try await store.client.query(PostgresQuery(unsafeSQL: "SELECT id, status FROM \"\(schema)\".jobs"))
        var out: [String: String] = [:]
        for try await (id, status) in rows.decode((String, String).self) { out[id] = status }
        return out
    }

    @Test func anEndTheLedgerRefusedIsRecordedLaterAndTheDocumentMovesOn() async throws {
        let configuration = try await PostgresTestSupport.configuration("unrecorded")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let faulty = FaultyLedger(try ClusterReactorTests.ledger(stores[0], "node-1"))
            try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[0]).withJobLedger(faulty).withReactor { node1 in
                try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[1])
                    .withJobLedger(try ClusterReactorTests.ledger(stores[1], "node-2")).withReactor { node2 in
                        try await node1.reactor.waitForJob(try await node1.reactor.create(NewDocument(id: "d", documentType: TodoList.documentType)).id)
                        // A job that fails (unknown action) records its end through `finish`, which the ledger refuses.
                        faulty.failFinish(true)
                        let failing = try await node1.reactor.execute("d", actions: [Action(type: "NO_SUCH_ACTION")])
                        let info = try await node1.jobTracker.wait(for: failing.id, timeout: .seconds(20))
                        #expect(info.error?.code == .unknownAction)
                        try await eventually("the ledger refused the end three times and more") { faulty.finishFailures >= 4 }
                        #expect(try await Self.statuses(stores[0], configuration.schema)[failing.id] == "PENDING")
                        // The ledger comes back: the kept end is recorded with a heartbeat, and node 2's next job on
                        // the document is not blocked by the PENDING row.
                        faulty.failFinish(false)
                        let next = try await node2.reactor.execute("d", actions: [TodoList.addTodo(id: "1", text: "milk")])
                        try await node2.reactor.waitForJob(next.id, timeout: .seconds(30))
                        #expect(try await Self.statuses(stores[0], configuration.schema)[failing.id] == "FAILED")
                    }
            }
        }
    }

    @Test func aSubmissionRefusedDuringShutdownIsNeverRecorded() async throws {
        let configuration = try await PostgresTestSupport.configuration("shutdown")
        try await PostgresTestSupport.withStores(configuration, count: 1) { stores in
            let faulty = FaultyLedger(try ClusterReactorTests.ledger(stores[0], "node-1"))
            let module = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[0])
                .withJobLedger(faulty).buildModule()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await module.reactor.run() }
                try await module.reactor.waitForJob(try await module.reactor.create(NewDocument(id: "d", documentType: TodoList.documentType)).id)
                // A submission is admitted and held in the ledger's record when the shutdown begins, and the ledger
                // refuses every end meanwhile.
                faulty.holdRecords()
                faulty.failFinish(true)
                async let admitted = module.reactor.execute("d", actions: [TodoList.addTodo(id: "1", text: "milk")])
                try await eventually("the submission is held in the ledger") { faulty.heldRecords == 1 }
                let shutdown = module.reactor.kill()
                // Refused from now on: before anything is recorded.
                let callsBefore = faulty.recordCalls
                let refused = await #expect(throws: ReactorError.self) {
                    try await module.reactor.execute("d", actions: [TodoList.addTodo(id: "2", text: "eggs")])
                }
                #expect(refused?.code == .shutdown)
                #expect(faulty.recordCalls == callsBefore)
                // The admitted submission is queued and run before the node stops, so its submitter is not told
                // "refused" about a job the ledger holds.
                faulty.releaseRecords()
                let job = try await admitted
                await shutdown.completed()
                faulty.failFinish(false)
                try await group.waitForAll()
                #expect(try module.reactor.jobStatus(job.id).status == .readReady)
                let statuses = try await Self.statuses(stores[0], configuration.schema)
                #expect(statuses.count == 2)
                #expect(!statuses.values.contains("PENDING"), "\(statuses)")
            }
        }
    }
}
