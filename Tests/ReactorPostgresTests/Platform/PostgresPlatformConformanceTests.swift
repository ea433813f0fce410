import Logging
import PostgresNIO
import ReactorCore
import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

@Suite("PostgresCacheBackend conformance", .serialized, .timeLimit(.minutes(10)))
struct PostgresCacheConformanceTests {
    @Test(arguments: CacheConformance.cases)
    func conformance(_ c: CacheConformanceCase) async throws {
        let url = try await PlatformTestDatabase.shared.get()
        let schema = freshName("cache")
        try await PostgresTestClients.withClients(2, url: url) { clients in
            let handles = try clients.map { try PostgresCacheBackend(client: $0, configuration: .init(schema: schema)) }
            try await handles[0].migrate()
            let turn = Mutex(0)
            try await c.run {
                handles[turn.withLock { value in value += 1; return value } % handles.count]
            }
        }
    }
}

@Suite("PostgresPubSub conformance", .serialized, .timeLimit(.minutes(10)))
struct PostgresPubSubConformanceTests {
    @Test(arguments: PubSubConformance.cases)
    func conformance(_ c: PubSubConformanceCase) async throws {
        let url = try await PlatformTestDatabase.shared.get()
        let configuration = PostgresPubSub.Configuration(schema: freshName("pubsub"), channelPrefix: freshName("t"))
        try await PostgresTestClients.withClients(2, url: url) { clients in
            let handles = try clients.map { try PostgresPubSub(client: $0, configuration: configuration) }
            try await handles[0].migrate()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for handle in handles { group.addTask { try await handle.run() } }
                defer { group.cancelAll() }
                let turn = Mutex(0)
                try await c.run {
                    handles[turn.withLock { value in value += 1; return value } % handles.count]
                }
            }
        }
    }
}

@Suite("PostgresLeaderElection conformance", .serialized, .timeLimit(.minutes(10)))
struct PostgresLeaderElectionConformanceTests {
    @Test(arguments: LeaderElectionConformance.cases)
    func conformance(_ c: LeaderElectionConformanceCase) async throws {
        let url = try await PlatformTestDatabase.shared.get()
        let configuration = PostgresLeaderElection.Configuration(namespace: freshName("leader"), checkInterval: .milliseconds(200))
        try await PostgresTestClients.withClients(2, url: url) { clients in
            let handles = try clients.map { try PostgresLeaderElection(client: $0, configuration: configuration) }
            let turn = Mutex(0)
            try await c.run {
                handles[turn.withLock { value in value += 1; return value } % handles.count]
            }
        }
    }
}
