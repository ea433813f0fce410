import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorPostgres
import ReactorTesting
import Testing

/// Holds this node's commits while its ``Hold`` is armed, so that its job stays pending in the ledger.
final class HeldPostgresCommits: ForwardingStore, @unchecked Sendable {
    let hold = Hold()

    override func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        await hold.pass()
        return await base.commit(commits)
    }
}

/// A job queued behind another node's job on its document is woken by that node's commit notice (LISTEN/NOTIFY), not
/// by polling: both ledgers here check by themselves only every minute.
@Suite("Turns woken by commit notices", .timeLimit(.minutes(5)))
struct TurnNoticeTests {
    static func ledger(_ store: PostgresStore, _ node: String) throws -> PostgresJobLedger {
        try PostgresJobLedger(store: store, configuration: PostgresJobLedgerConfiguration(
            nodeID: node, heartbeatInterval: .milliseconds(100), nodeTimeout: .seconds(10),
            turnPollInterval: .seconds(60), notifiedTurnPollInterval: .seconds(60)))
    }

    @Test func aJobWaitingForAnotherNodesJobIsWokenByItsCommitNotice() async throws {
        let configuration = try await PostgresTestSupport.configuration("turns")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let pubSubs = try stores.map { try PostgresPubSub(client: $0.client, configuration: .init(schema: configuration.schema)) }
            let channel = "reactor.commits:\(configuration.schema)"
            let held = HeldPostgresCommits(stores[0])
            try await withThrowingTaskGroup(of: Void.self) { listeners in
                for pubSub in pubSubs { listeners.addTask { try await pubSub.run() } }
                defer { listeners.cancelAll() }
                let node2 = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[1])
                    .withJobLedger(try Self.ledger(stores[1], "node-2")).withCommitNotices(pubSubs[1], channel: channel).buildModule()
                try await node2.withRunning {
                    try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(held)
                        .withJobLedger(try Self.ledger(stores[0], "node-1")).withCommitNotices(pubSubs[0], channel: channel)
                        .withReactor { node1 in
                            let created = try await node1.reactor.create(NewDocument(id: "turns", documentType: TodoList.documentType))
                            #expect(try await node1.reactor.waitForJob(created.id).status == .readReady)
                            // Node 1's job is recorded and holds its commit: it stays pending.
                            held.hold.arm()
                            let first: JobInfo, second: JobInfo
                            do {
                                first = try await node1.reactor.execute("turns", actions: [TodoList.addTodo(id: "1", text: "first")])
                                try await eventually("node 1's job holds its commit") { held.hold.heldCount == 1 }
                                // Node 2's job on the same document is recorded behind it and waits for its turn.
                                second = try await node2.reactor.execute("turns", actions: [TodoList.addTodo(id: "2", text: "second")])
                                try await eventually("node 2's job runs") { try node2.reactor.jobStatus(second.id).status == .running }
                            } catch {
                                held.hold.release()
                                throw error
                            }
                            held.hold.release()
                            #expect(try await node1.reactor.waitForJob(first.id).status == .readReady)
                            // Only node 1's notice can wake node 2's job within the test's time (polls: every minute).
                            try await eventually("node 2's job completes after node 1's", timeout: .seconds(20)) {
                                try node2.reactor.jobStatus(second.id).status == .readReady
                            }
                            let doc = try await node2.reactor.get("turns")
                            #expect(try TodoList.model.state(of: doc).items.map(\.text) == ["first", "second"])
                        }
                }
            }
        }
    }
}
