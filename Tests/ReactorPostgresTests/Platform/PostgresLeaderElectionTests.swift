import PostgresNIO
import ReactorCore
import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

@Suite("PostgresLeaderElection on a real server", .timeLimit(.minutes(10)))
struct PostgresLeaderElectionTests {
    @Test func closingTheHoldersConnectionLetsAnotherNodeLead() async throws {
        // A database of its own: the test looks at (and ends) every advisory-lock holder of the database.
        let url = try await PostgresTestServer.createDatabase("leader")
        let configuration = PostgresLeaderElection.Configuration(namespace: freshName("leader"), checkInterval: .milliseconds(100))
        try await PostgresTestClients.withClients(2, url: url) { clients in
            let first = try PostgresLeaderElection(client: clients[0], configuration: configuration)
            let second = try PostgresLeaderElection(client: clients[1], configuration: configuration)
            let (acquired, acquiredContinuation) = AsyncStream.makeStream(of: Void.self)
            let handle = SharedValue<Leadership?>(nil)
            let bodyCancelled = SharedValue(false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        _ = try await first.withLeadershipIfAvailable(of: "scheduler") { leadership in
                            handle.withLock { $0 = leadership }
                            acquiredContinuation.yield()
                            do {
                                try await Task.sleep(for: .seconds(60))
                            } catch {
                                bodyCancelled.withLock { $0 = true }
                                throw error
                            }
                        }
                        Issue.record("the holder's leadership call returned normally after its connection was closed")
                    } catch let error as ReactorError {
                        #expect(error.code == .leadershipLost)
                    }
                }
                for await _ in acquired { break }
                #expect(try await second.withLeadershipIfAvailable(of: "scheduler") { _ in true } == nil)
                // The holder's session is the one holding an advisory lock in this database: end it.
                let killed = try await PostgresTestClients.int(clients[1], """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """)
                #expect(killed == 1)
                var taken: Bool?
                try await PlatformTestSupport.eventually("the second node taking the leadership") {
                    taken = try await second.withLeadershipIfAvailable(of: "scheduler") { leadership in leadership.isLeader }
                    return taken == true
                }
                try await group.waitForAll()
            }
            #expect(bodyCancelled.withLock { $0 })
            #expect(handle.withLock { $0?.isLeader } == false)
        }
    }

    @Test func onlyOneNodeLeadsAcrossClients() async throws {
        // A database of its own: the test looks at (and ends) every advisory-lock holder of the database.
        let url = try await PostgresTestServer.createDatabase("leader")
        let configuration = PostgresLeaderElection.Configuration(namespace: freshName("leader"))
        try await PostgresTestClients.withClients(3, url: url) { clients in
            let nodes = try clients.map { try PostgresLeaderElection(client: $0, configuration: configuration) }
            let holders = SharedValue(0)
            let most = SharedValue(0)
            let wins = SharedValue(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<30 {
                    let node = nodes[round % nodes.count]
                    group.addTask {
                        _ = try await node.withLeadershipIfAvailable(of: "singleton") { _ in
                            let now = holders.withLock { $0 += 1; return $0 }
                            most.withLock { $0 = max($0, now) }
                            wins.withLock { $0 += 1 }
                            try await Task.sleep(for: .milliseconds(5))
                            holders.withLock { $0 -= 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(most.withLock { $0 } == 1)
            #expect(wins.withLock { $0 } >= 1)
            // Every lock was released: none is left in the database.
            let left = try await PostgresTestClients.int(clients[0], """
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """)
            #expect(left == 0)
        }
    }
}
