import PostgresNIO
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

/// Collects what a processor receives.
final class CollectingProcessor: Processor {
    let name: String
    let received = Mutex<[OperationRecord]>([])

    init(name: String) { self.name = name }

    var filter: OperationFilter? { OperationFilter(scopes: [Scope.global]) }

    func process(_ records: [OperationRecord]) async throws {
        received.withLock { $0 += records }
    }
}

/// Collects what a read model indexes.
final class CollectingReadModel: ReadModel {
    let name = "collect"
    let indexed = Mutex<[OperationRecord]>([])

    func indexOperations(_ records: [OperationRecord]) async throws {
        indexed.withLock { $0 += records }
    }
}

/// Two reactors (two pools, two job ledgers) on one schema, as two nodes in one process.
@Suite("Reactors in a cluster on PostgreSQL", .timeLimit(.minutes(10)))
struct ClusterReactorTests {
    /// A ledger with quick heartbeats; the node timeout is long enough that a busy machine does not make a live node
    /// look stopped unless a test wants that.
    static func ledger(_ store: PostgresStore, _ node: String, nodeTimeout: Duration = .seconds(10)) throws -> PostgresJobLedger {
        try PostgresJobLedger(store: store, configuration: PostgresJobLedgerConfiguration(
            nodeID: node, heartbeatInterval: .milliseconds(100), nodeTimeout: nodeTimeout))
    }

    @Test func processorReadModelAndSubscriptionOnOneNodeReceiveTheOtherNodesWrites() async throws {
        let configuration = try await PostgresTestSupport.configuration("cluster")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let processor = CollectingProcessor(name: "audit")
            let readModel = CollectingReadModel()
            let node2 = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[1])
                .withJobLedger(try Self.ledger(stores[1], "node-2"), cluster: ClusterConfig(followInterval: .milliseconds(10)))
                .withProcessor(processor).withReadModel(readModel).buildModule()
            try await node2.withRunning {
                let changes = try await node2.subscriptionManager.open(DocumentQuery(ids: ["shared"]))
                try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[0])
                    .withJobLedger(try Self.ledger(stores[0], "node-1")).withReactor { node1 in
                        let client = ReactorClient(reactor: node1.reactor)
                        _ = try await client.create(NewDocument(id: "shared", documentType: TodoList.documentType))
                        _ = try await client.execute("shared", actions: [TodoList.addTodo(id: "1", text: "a"), TodoList.addTodo(id: "2", text: "b")])
                        _ = try await client.execute("shared", actions: [TodoList.toggleTodo(id: "1")])
                    }
                // The subscription on node 2 sees node 1's changes, each once, in order.
                var seen: [Int] = []
                for try await change in changes {
                    seen += change.operations.filter { $0.stream.scope == Scope.global }.map(\.operation.index)
                    if seen.count >= 3 { break }
                }
                #expect(seen == [0, 1, 2])
                // The processor on node 2 gets every global operation written on node 1.
                try await eventually("node 2's processor received node 1's operations") { processor.received.withLock { $0.count } >= 3 }
                #expect(processor.received.withLock { $0.map(\.operation.index) } == [0, 1, 2])
                // So does the read model, before a read with node 1's token returns on node 2.
                #expect(readModel.indexed.withLock { $0.filter { $0.stream.scope == Scope.global }.map(\.operation.index) } == [0, 1, 2])
                let doc = try await node2.reactor.get("shared")
                #expect(try TodoList.model.state(of: doc).items.map(\.done) == [true, false])
            }
        }
    }

    /// With commit notices (LISTEN/NOTIFY), a node reads another node's commits as soon as they are announced: both
    /// nodes poll only every minute here, so only a notice can bring the changes within the test's time.
    @Test func commitNoticesWakeTheOtherNodesFollower() async throws {
        let configuration = try await PostgresTestSupport.configuration("notices")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let pubSubs = try stores.map { try PostgresPubSub(client: $0.client, configuration: .init(schema: configuration.schema)) }
            let channel = "reactor.commits:\(configuration.schema)"
            let slow = ClusterConfig(followInterval: .seconds(3600), notifiedFollowInterval: .seconds(3600))
            try await withThrowingTaskGroup(of: Void.self) { listeners in
                for pubSub in pubSubs { listeners.addTask { try await pubSub.run() } }
                defer { listeners.cancelAll() }
                let readModel = CollectingReadModel()
                let node2 = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[1])
                    .withJobLedger(try Self.ledger(stores[1], "node-2"), cluster: slow).withReadModel(readModel)
                    .withCommitNotices(pubSubs[1], channel: channel).buildModule()
                try await node2.withRunning {
                    try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[0])
                        .withJobLedger(try Self.ledger(stores[0], "node-1"), cluster: slow)
                        .withCommitNotices(pubSubs[0], channel: channel).withReactor { node1 in
                            let client = ReactorClient(reactor: node1.reactor)
                            _ = try await client.create(NewDocument(id: "noticed", documentType: TodoList.documentType))
                            _ = try await client.execute("noticed", actions: [TodoList.addTodo(id: "1", text: "a")])
                            _ = try await client.execute("noticed", actions: [TodoList.addTodo(id: "2", text: "b")])
                        }
                    // Node 2 indexes node 1's operations only when its follower reads them.
                    try await eventually("node 2's follower read node 1's commits", timeout: .seconds(20)) {
                        readModel.indexed.withLock { $0.filter { $0.stream.scope == Scope.global }.count } == 2
                    }
                }
            }
        }
    }

    /// With a leader election, a processor runs on one node at a time: the other node's copy receives nothing while
    /// the leader runs, then takes over from the shared cursor when the leader stops. Every operation is processed
    /// once across the two nodes.
    @Test func aProcessorRunsOnOneNodeAndMovesWhenItStops() async throws {
        let configuration = try await PostgresTestSupport.configuration("leader")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            func node(_ index: Int, _ processor: CollectingProcessor) async throws -> ReactorModule {
                try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[index])
                    .withJobLedger(try Self.ledger(stores[index], "node-\(index + 1)"), cluster: ClusterConfig(followInterval: .milliseconds(10)))
                    .withLeaderElection(try PostgresLeaderElection(
                        client: stores[index].client, configuration: .init(namespace: "reactor.leader:\(configuration.schema)")))
                    .withProcessor(processor).buildModule()
            }
            @Sendable func waitFor(_ processor: CollectingProcessor, count: Int) async throws {
                try await eventually("the processor received \(count) operations") { processor.received.withLock { $0.count } >= count }
            }
            let first = CollectingProcessor(name: "audit")
            let second = CollectingProcessor(name: "audit")
            let node1 = try await node(0, first)
            let running1 = Task { try await node1.reactor.run() }
            let client1 = ReactorClient(reactor: node1.reactor)
            _ = try await client1.create(NewDocument(id: "led", documentType: TodoList.documentType))
            for i in 0..<5 { _ = try await client1.execute("led", actions: [TodoList.addTodo(id: "a\(i)", text: "x")]) }
            try await waitFor(first, count: 5)
            #expect(first.received.withLock { $0.count } == 5, "node 1 leads the processor")

            let node2 = try await node(1, second)
            try await node2.withRunning {
                let client2 = ReactorClient(reactor: node2.reactor)
                for i in 0..<5 { _ = try await client2.execute("led", actions: [TodoList.addTodo(id: "b\(i)", text: "x")]) }
                try await waitFor(first, count: 10)
                try await Task.sleep(for: .milliseconds(300))
                #expect(first.received.withLock { $0.count } == 10, "the leader processes node 2's writes too")
                #expect(second.received.withLock { $0.isEmpty }, "the other node's copy waits")

                await node1.reactor.kill().completed()
                try await running1.value
                for i in 0..<5 { _ = try await client2.execute("led", actions: [TodoList.addTodo(id: "c\(i)", text: "x")]) }
                try await waitFor(second, count: 5)
            }
            let all = (first.received.withLock { $0 } + second.received.withLock { $0 }).map(\.operation.index)
            #expect(all == Array(0..<15), "each operation once, in order, across the two nodes")
        }
    }

    /// A read with another node's token does not trust this node's identifier cache: the token can be satisfied from
    /// the store before the follower has seen (and invalidated) the other node's slug change.
    @Test func aTokenFromAnotherNodeBypassesTheIdentifierCache() async throws {
        let configuration = try await PostgresTestSupport.configuration("idcache")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            // Node 2 follows too slowly to invalidate anything during the test.
            let node2 = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[1])
                .withJobLedger(try Self.ledger(stores[1], "node-2"), cluster: ClusterConfig(followInterval: .seconds(60)))
                .buildModule()
            try await node2.withRunning {
                try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[0])
                    .withJobLedger(try Self.ledger(stores[0], "node-1")).withReactor { node1 in
                        let reactor1 = node1.reactor
                        @Sendable func token(_ job: JobInfo) async throws -> ConsistencyToken? {
                            try await reactor1.waitForJob(job.id).consistencyToken
                        }
                        let created = try await token(try await reactor1.create(NewDocument(id: "first", documentType: TodoList.documentType, slug: "s")))
                        let seen = try await node2.reactor.getByIdOrSlug("s", consistencyToken: created)
                        #expect(seen.id == "first")
                        #expect(node2.reactor.identifiers.lookup("s").resolution?.bySlug == "first", "node 2 cached the slug")

                        _ = try await token(try await reactor1.execute("first", actions: [Action(type: SystemAction.setSlug, scope: Scope.document, input: ["slug": "moved"])]))
                        let second = try await token(try await reactor1.create(NewDocument(id: "second", documentType: TodoList.documentType, slug: "s")))
                        let now = try await node2.reactor.getByIdOrSlug("s", consistencyToken: second)
                        #expect(now.id == "second")
                    }
            }
        }
    }

    /// A job recorded while the node stops (its queue closed) is refused to its submitter and ended in the ledger
    /// as FAILED, so that no other node takes it over and runs it after all.
    @Test func aJobRefusedAfterItWasRecordedIsNotLeftForAnotherNode() async throws {
        let configuration = try await PostgresTestSupport.configuration("refused")
        try await PostgresTestSupport.withStores(configuration, count: 1) { stores in
            let queue = InMemoryJobQueue()
            queue.close()
            let ledger = try Self.ledger(stores[0], "node-stopping")
            _ = try await ledger.join()
            let module = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[0])
                .withQueue(queue).withJobLedger(ledger).buildModule()
            await #expect(throws: ReactorError.self) {
                _ = try await module.reactor.create(NewDocument(id: "ghost", documentType: TodoList.documentType))
            }
            let rows = try await stores[0].client.query(PostgresQuery(unsafeSQL: "SELECT status FROM \"\(configuration.schema)\".jobs"))
            var statuses: [String] = []
            for try await status in rows.decode(String.self) { statuses.append(status) }
            #expect(statuses == ["FAILED"])
        }
    }

    @Test func aJobOfAnotherNodeFencesOutALateCommit() async throws {
        let configuration = try await PostgresTestSupport.configuration("fence")
        try await PostgresTestSupport.withStores(configuration, count: 1) { stores in
            let store = stores[0]
            let ledger = try Self.ledger(store, "node-a")
            _ = try await ledger.join()
            let create = Job(id: "j1", documentID: "d1", payload: .actions([NewDocument(id: "d1", documentType: TodoList.documentType).createAction]))
            let second = Job(id: "j2", documentID: "d1", payload: .actions([]))
            try await ledger.record([create, second])
            // The second job may not commit before the first.
            var commit = PostgresStoreTests.create("d1", count: 1)
            commit.job = JobFence(jobID: "j2", nodeID: "node-a", token: ConsistencyToken(coordinates: []))
            let early = await store.commit([commit])
            #expect(throws: ReactorError.self) { try early[0].get() }
            if case .failure(let error) = early[0] { #expect(error.code == .documentBusy && error.isTransient) }
            // Another node's id does not hold the fence either.
            commit.job = JobFence(jobID: "j1", nodeID: "node-b", token: ConsistencyToken(coordinates: []))
            if case .failure(let error) = await store.commit([commit])[0] { #expect(error.code == .jobTakenOver) } else { Issue.record("committed") }
            // The owner commits job 1, then job 2's turn has come.
            commit.job = JobFence(jobID: "j1", nodeID: "node-a", token: ConsistencyToken(coordinates: []))
            _ = try await store.commit([commit])[0].get()
            #expect(try await ledger.info(of: "j1")?.status == .readReady)
            try await ledger.waitForTurn(second, timeout: .seconds(1))
            // A job cannot complete twice.
            if case .failure(let error) = await store.commit([commit])[0] { #expect(error.code == .jobTakenOver) } else { Issue.record("committed twice") }
        }
    }

    @Test func aStoppedNodesJobsAreTakenOverAndItsLateCommitIsRefused() async throws {
        let configuration = try await PostgresTestSupport.configuration("takeover")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let dead = try Self.ledger(stores[0], "node-dead", nodeTimeout: .seconds(3))
            let alive = try Self.ledger(stores[1], "node-alive", nodeTimeout: .seconds(3))
            _ = try await dead.join()
            _ = try await alive.join()
            let job = Job(id: "j1", documentID: "d1", payload: .actions([NewDocument(id: "d1", documentType: TodoList.documentType).createAction]))
            try await dead.record([job])
            _ = try await dead.heartbeat(takeOver: false)
            #expect(try await alive.heartbeat(takeOver: true).isEmpty)  // node-dead is still alive
            // node-dead stops heartbeating: its last heartbeat is made older than the node timeout (the ledger
            // measures with the database's clock, so no wait is needed).
            try await stores[0].client.query(PostgresQuery(unsafeSQL:
                "UPDATE \"\(configuration.schema)\".nodes SET seen_at = seen_at - 3500 WHERE id = 'node-dead'"))
            let taken = try await alive.heartbeat(takeOver: true)
            #expect(taken.map(\.job.id) == ["j1"])
            #expect(taken.first?.previousOwner == "node-dead")
            if case .actions(let actions) = taken.first?.job.payload { #expect(actions.first?.type == SystemAction.create) } else { Issue.record("payload") }
            // The presumed-dead node comes back and tries to commit: refused.
            var commit = PostgresStoreTests.create("d1", count: 1)
            commit.job = JobFence(jobID: "j1", nodeID: "node-dead", token: ConsistencyToken(coordinates: []))
            if case .failure(let error) = await stores[0].commit([commit])[0] { #expect(error.code == .jobTakenOver) } else { Issue.record("committed") }
            commit.job = JobFence(jobID: "j1", nodeID: "node-alive", token: ConsistencyToken(coordinates: []))
            _ = try await stores[1].commit([commit])[0].get()
        }
    }
}
