import Foundation
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorTesting
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(3))) struct JobLifecycleTests {
    @Test(arguments: StoreKind.allCases)
    func createExecuteAndRead(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter(id: "c1", slug: "my-counter", name: "Mine")
            #expect(doc.header.documentType == Counter.documentType)
            #expect(doc.header.name == "Mine")
            #expect(doc.header.slug == "my-counter")
            #expect(Counter.value(doc) == 0)
            #expect(doc.header.revision[Scope.document] == 1)

            let job = try await reactor.execute("c1", actions: [Counter.add(2), Counter.add(3)])
            #expect(job.status == .pending)
            let info = try await reactor.waitForJob(job.id)
            #expect(info.status == .readReady)
            let token = try #require(info.consistencyToken)
            #expect(token.coordinates.map(\.operationIndex) == [0, 1])
            let after = try await reactor.get("c1", consistencyToken: token)
            #expect(Counter.value(after) == 5)
            #expect(after.header.revision[Scope.global] == 2)
            #expect(after.hashes[Scope.global] == StateHash.of(after.state[Scope.global]!))
            #expect(try reactor.jobStatus(job.id).status == .readReady)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func everyTransitionEmitsAnEventInOrder(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let seen = Collector<(String, ReactorEventKind)>()
            module.eventBus.subscribe(nil, delivery: .inline) { event in if let job = event.job { seen.append((job.id, event.kind)) } }
            let doc = try await module.reactor.createCounter()
            let job = try await module.reactor.execute(doc.id, actions: [Counter.add(1)])
            _ = try await module.reactor.waitForJob(job.id)
            let kinds = seen.values.filter { $0.0 == job.id }.map(\.1)
            #expect(kinds == [.jobPending, .jobRunning, .jobWriteReady, .jobReadReady])

            let bad = try await module.reactor.execute("missing", actions: [Counter.add(1)])
            _ = try? await module.reactor.waitForJob(bad.id)
            let badKinds = seen.values.filter { $0.0 == bad.id }.map(\.1)
            #expect(badKinds == [.jobPending, .jobRunning, .jobFailed])
        }
    }

    /// Scenario 1: 100 documents x 10 actions submitted at once with maxConcurrency 4.
    @Test(arguments: StoreKind.allCases)
    func hundredDocumentsRespectConcurrencyAndOrder(_ kind: StoreKind) async throws {
        let module = try await ReactorBuilder.testing(kind).withExecutorConfig(ExecutorConfig(maxConcurrency: 4)).buildModule()
        do {
            let reactor = module.reactor
            // Documents with a running job: a slot works on one document, possibly on several of its queued jobs
            // committed together (``ExecutorConfig/maxJobsPerCommit``).
            let running = Mutex((jobs: [String: Int](), peak: 0))
            module.eventBus.subscribe([.jobRunning, .jobReadReady, .jobFailed], delivery: .inline) { event in
                guard let info = event.job else { return }
                running.withLock { r in
                    if event.kind == .jobRunning { r.jobs[info.documentID, default: 0] += 1 } else {
                        r.jobs[info.documentID, default: 0] -= 1
                        if r.jobs[info.documentID] == 0 { r.jobs[info.documentID] = nil }
                    }
                    r.peak = max(r.peak, r.jobs.count)
                }
            }
            let ids = (0..<100).map { "doc-\($0)" }
            var jobs: [JobInfo] = []
            for id in ids { jobs.append(try await reactor.create(NewDocument(id: id, documentType: Counter.documentType))) }
            var expectedActions: [String: [String]] = [:]
            for round in 0..<10 {
                for id in ids {
                    let action = Counter.add(round + 1, id: "\(id)-a\(round)")
                    expectedActions[id, default: []].append(action.id)
                    jobs.append(try await reactor.execute(id, actions: [action]))
                }
            }
            // Everything is queued before the executor starts: it must run 4 at a time, never more.
            #expect(module.queue.pendingCount == 1_100)
            let submitted = jobs
            try await module.withRunning {
                for job in submitted { _ = try await reactor.waitForJob(job.id) }
            }
            #expect(running.withLock { $0.peak } <= 4)
            #expect(module.jobTracker.count(where: [.readReady]) == 1_100)
            for id in ids {
                let page = try await reactor.operations(OperationQuery(documentID: id, scopes: [Scope.global]), page: PageRequest(limit: 100))
                #expect(page.items.map(\.operation.index) == Array(0..<10))
                #expect(page.items.map(\.operation.action.id) == expectedActions[id])
                #expect(Counter.value(try await reactor.get(id)) == 55)
            }
        }
    }

    /// Scenario 3: a reducer error is recorded on the operation, the state is unchanged and the job succeeds.
    @Test(arguments: StoreKind.allCases)
    func reducerErrorIsRecorded(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter()
            try await reactor.executeAndWait(doc.id, [Counter.add(7)])
            let before = try await reactor.get(doc.id)
            let info = try await reactor.executeAndWait(doc.id, [Action(type: "FAIL")])
            #expect(info.status == .readReady)
            #expect(info.error == nil)
            let after = try await reactor.get(doc.id)
            #expect(after.state[Scope.global] == before.state[Scope.global])
            #expect(after.hashes[Scope.global] == before.hashes[Scope.global])
            #expect(after.header.revision[Scope.global] == 2)
            let ops = try await reactor.operations(OperationQuery(documentID: doc.id, scopes: [Scope.global]))
            #expect(ops.items.count == 2)
            #expect(ops.items[1].operation.error == "this action always fails")
            #expect(ops.items[1].operation.index == 1)
        }
    }

    /// Scenario 4: each bad request fails with its own code and writes nothing.
    @Test(arguments: StoreKind.allCases)
    func badRequestsFailWithTheirOwnCodes(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter(id: "good")
            try await reactor.executeAndWait("good", [Counter.add(1)])
            let ordinalBefore = try await module.store.latestOrdinal()

            func failure(_ job: JobInfo) async throws -> ReactorError.Code? {
                let info = try await module.jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(10))
                #expect(info.status == .failed)
                return info.error?.code
            }
            // Unknown document type.
            #expect(try await failure(reactor.create(NewDocument(id: "x1", documentType: "nope/none"))) == .unknownDocumentType)
            // Unknown action (first action valid: nothing of the job may be written).
            #expect(try await failure(reactor.execute("good", actions: [Counter.add(1), Action(type: "NOPE")])) == .unknownAction)
            // Malformed input.
            let malformed = try await reactor.execute("good", actions: [Counter.add(1), Action(type: "ADD", input: ["amount": "ten"])])
            let malformedInfo = try await module.jobTracker.wait(for: malformed.id, until: .readReady, timeout: .seconds(10))
            #expect(malformedInfo.error?.code == .invalidInput)
            #expect(malformedInfo.error?.details["path"] == "input.amount")
            // Missing action id.
            // Identifiers that break the rules are refused before a job exists.
            let noID = await #expect(throws: ReactorError.self) { try await reactor.execute("good", actions: [Action(id: "", type: "ADD", input: ["amount": 1])]) }
            #expect(noID?.code == .missingActionID)
            // Unknown scope.
            #expect(try await failure(reactor.execute("good", actions: [Action(type: "ADD", scope: "elsewhere", input: ["amount": 1])])) == .unknownScope)
            // Missing document.
            #expect(try await failure(reactor.execute("missing", actions: [Counter.add(1)])) == .documentNotFound)
            // Create twice.
            #expect(try await failure(reactor.create(NewDocument(id: "good", documentType: Counter.documentType))) == .documentExists)
            // Write after delete.
            _ = try await reactor.waitForJob(try await reactor.deleteDocument("good").id)
            #expect(try await failure(reactor.execute("good", actions: [Counter.add(1)])) == .documentDeleted)
            await #expect(throws: ReactorError.self) { try await reactor.get("good") }

            // Nothing partially written: only the delete operation was added.
            #expect(try await module.store.latestOrdinal() == ordinalBefore + 1)
            let revisions = try await module.store.revisions(documentID: doc.id, branch: Branch.main)
            #expect(revisions[Scope.global] == 1)
            #expect(try await module.store.header(id: "x1") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func redeliveredActionIsIgnored(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter()
            let action = Counter.add(4, id: "same-id")
            try await reactor.executeAndWait(doc.id, [action])
            let again = try await reactor.executeAndWait(doc.id, [action, Counter.add(1)])
            #expect(again.status == .readReady)
            let after = try await reactor.get(doc.id)
            #expect(Counter.value(after) == 5)
            #expect(after.header.revision[Scope.global] == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func killRefusesNewWorkAndDrains(_ kind: StoreKind) async throws {
        // A drain deadline no busy test process reaches: this test is about draining, not about the deadline
        // (ShutdownDrainTests covers that).
        let module = try await ReactorBuilder.testing(kind).withExecutorConfig(ExecutorConfig(shutdownDrainTimeout: .seconds(600)))
            .buildModule()
        let reactor = module.reactor
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reactor.run() }
            let doc = try await reactor.createCounter()
            var jobs: [JobInfo] = []
            for _ in 0..<50 { jobs.append(try await reactor.execute(doc.id, actions: [Counter.add(1)])) }
            let handle = reactor.kill()
            #expect(handle.isShutdown)
            await #expect(throws: ReactorError.self) { try await reactor.execute(doc.id, actions: [Counter.add(1)]) }
            do {
                _ = try await reactor.execute(doc.id, actions: [Counter.add(1)])
            } catch let error as ReactorError {
                #expect(error.code == .shutdown)
            }
            await handle.completed()
            for job in jobs {
                let info = try reactor.jobStatus(job.id)
                #expect(info.status == .readReady, "job \(job.id): \(info.status) \(String(describing: info.error))")
            }
            #expect(Counter.value(try await reactor.get(doc.id)) == 50)
            try await group.waitForAll()
        }
    }

    @Test func jobStatusOfUnknownJob() async throws {
        let reactor = try await ReactorBuilder.testing().build()
        #expect(throws: ReactorError.self) { try reactor.jobStatus("nope") }
    }
}

/// A read model that holds each job until `target` jobs are inside it at once (or a deadline passes), recording the
/// peak. It suspends rather than blocks, so it needs no free thread to observe concurrency.
final class BarrierReadModel: ReadModel {
    let name = "barrier"
    let target: Int
    let patience: Duration
    let state = Mutex((inside: 0, peak: 0))

    init(target: Int, patience: Duration = .seconds(5)) {
        self.target = target
        self.patience = patience
    }

    func indexOperations(_ records: [OperationRecord]) async throws {
        state.withLock { s in s.inside += 1; s.peak = max(s.peak, s.inside) }
        let deadline = ContinuousClock.now.advanced(by: patience)
        while state.withLock({ $0.peak < target }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        state.withLock { $0.inside -= 1 }
    }

    var peak: Int { state.withLock { $0.peak } }
}

@Suite(.timeLimit(.minutes(3))) struct ConcurrencyTests {
    /// Jobs on different documents overlap up to `maxConcurrency`, never more.
    @Test func documentsRunConcurrentlyUpToTheLimit() async throws {
        let barrier = BarrierReadModel(target: 3)
        let module = try await ReactorBuilder.testing().withReadModel(barrier)
            .withExecutorConfig(ExecutorConfig(maxConcurrency: 3)).buildModule()
        var jobs: [JobInfo] = []
        for i in 0..<9 { jobs.append(try await module.reactor.create(NewDocument(id: "c-\(i)", documentType: Counter.documentType))) }
        let submitted = jobs
        try await module.withRunning {
            for job in submitted { _ = try await module.reactor.waitForJob(job.id) }
        }
        #expect(barrier.peak == 3)
    }

    /// Jobs of one document never overlap, whatever the concurrency.
    @Test func oneDocumentRunsOneJobAtATime() async throws {
        let barrier = BarrierReadModel(target: 2, patience: .milliseconds(100))
        let module = try await ReactorBuilder.testing().withReadModel(barrier)
            .withExecutorConfig(ExecutorConfig(maxConcurrency: 4)).buildModule()
        var jobs = [try await module.reactor.create(NewDocument(id: "one", documentType: Counter.documentType))]
        for _ in 0..<3 { jobs.append(try await module.reactor.execute("one", actions: [Counter.add(1)])) }
        let submitted = jobs
        try await module.withRunning {
            for job in submitted { _ = try await module.reactor.waitForJob(job.id) }
        }
        #expect(barrier.peak == 1)
    }
}

/// Reducers that block their thread on purpose: they run on the engine's model threads, never on the cooperative pool.
/// One case at a time: a reducer stuck inline holds one of the test process's cooperative threads until its gate opens,
/// and two cases at once would slow every other job of the process past these short timeouts.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct BlockingReducerTests {
    /// Reducers that never return (until the test opens their gate) on more documents than the executor has slots:
    /// each job times out and gives its slot back, so other documents' jobs — and the document's own next job — run
    /// meanwhile; the cooperative pool stays free. When the reducers finally return, nothing of theirs is written.
    /// Inline (the first stuck reducers hold cooperative threads, never all of them; the others go to model threads)
    /// and with every reducer on a model thread.
    @Test(arguments: StoreKind.allCases)
    func reducersThatNeverReturnDoNotStarveTheReactor(_ kind: StoreKind) async throws {
        try await neverReturningReducers(kind, inline: false)
    }

    /// The same with reducers inline: the first stuck one holds one of the test process's cooperative threads for the
    /// whole case, which slows every other test running beside it past their time limits on a 2-core machine. So it
    /// runs on its own: `REACTOR_THREAD_BLOCKING_TESTS=1 swift test --filter reducersStuckInline` (`.ci/run` does).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REACTOR_THREAD_BLOCKING_TESTS"] == "1",
                   "set REACTOR_THREAD_BLOCKING_TESTS=1 to run it on its own (.ci/run does)"),
          arguments: StoreKind.allCases)
    func reducersStuckInlineDoNotStarveTheReactor(_ kind: StoreKind) async throws {
        try await neverReturningReducers(kind, inline: true)
    }

    private func neverReturningReducers(_ kind: StoreKind, inline: Bool) async throws {
        let gateName = UUID().uuidString
        let gate = ReducerGate.named(gateName)
        let builder = try ReactorBuilder.testing(kind)
            .withExecutorConfig(ExecutorConfig(maxConcurrency: 2, jobTimeout: .seconds(2), reducersInline: inline))
        try await builder.withReactor { module in
            let reactor = module.reactor
            var hung: [(document: String, job: JobInfo)] = []
            for i in 0..<4 {
                let doc = try await reactor.createCounter(id: "hung-\(i)")
                hung.append((doc.id, try await reactor.execute(doc.id, actions: [Action(type: "HANG", input: ["gate": .string(gateName)])])))
            }
            for (_, job) in hung {
                let info = try await module.jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(20))
                #expect(info.error?.code == .jobTimeout)
            }
            #expect(gate.blocked == 4, "every hung job reached its reducer: slots were given back at each timeout")
            #expect(gate.returned == 0)
            // Still stuck, yet the executor runs new work on every document, the hung ones included.
            for (document, _) in hung {
                let next = try await reactor.waitForJob(try await reactor.execute(document, actions: [Counter.add(5)]).id)
                #expect(next.status == .readReady)
            }
            let other = try await reactor.createCounter(id: "other")
            try await reactor.waitForJob(try await reactor.execute(other.id, actions: [Counter.add(1)]).id)

            gate.open()
            try await eventually("the hung reducers returned") { gate.returned == 4 }
            for (document, _) in hung {
                let after = try await reactor.get(document)
                #expect(Counter.value(after) == 5, "a timed-out reduction writes nothing")
                #expect(after.header.revision[Scope.global] == 1)
            }
        }
    }
}
