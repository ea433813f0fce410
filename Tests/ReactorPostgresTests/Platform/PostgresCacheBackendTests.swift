import PostgresNIO
import ReactorCore
import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

@Suite("PostgresCacheBackend on a real server", .timeLimit(.minutes(10)))
struct PostgresCacheBackendTests {
    /// Runs `count` cache "nodes" (each on its own client) on a fresh schema while `body` runs.
    func withNodes<T: Sendable>(
        _ count: Int, purgeEvery: Int = 1000,
        _ body: @Sendable (_ schema: String, [PostgresClient], [PostgresCacheBackend]) async throws -> T
    ) async throws -> T {
        let url = try await PlatformTestDatabase.shared.get()
        let schema = freshName("cache")
        return try await PostgresTestClients.withClients(count, url: url) { clients in
            let nodes = try clients.map { try PostgresCacheBackend(client: $0, configuration: .init(schema: schema, purgeEvery: purgeEvery)) }
            try await nodes[0].migrate()
            return try await body(schema, clients, nodes)
        }
    }

    @Test func concurrentConsumersOnSeparateClientsGetEachMessageExactlyOnce() async throws {
        try await withNodes(4) { schema, clients, nodes in
            let count = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<4 {
                    group.addTask {
                        for index in stride(from: producer, to: count, by: 4) { try await nodes[producer].enqueue("job \(index)", on: "work") }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await nodes[0].length(of: "work") == count)
            let deliveries = SharedValue<[String: Int]>([:])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for consumer in 0..<8 {
                    let node = nodes[consumer % nodes.count]
                    group.addTask {
                        while let message = try await node.dequeue(from: "work", visibilityTimeout: .seconds(120)) {
                            deliveries.withLock { $0[message.string, default: 0] += 1 }
                            #expect(message.deliveries == 1)
                            #expect(try await node.ack(message))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let counts = deliveries.withLock { $0 }
            #expect(counts.count == count)
            #expect(counts.values.allSatisfy { $0 == 1 })
            let rows = try await PostgresTestClients.int(clients[0], "SELECT count(*) FROM \(unescaped: schema).cache_queue")
            #expect(rows == 0)
        }
    }

    @Test func anUnackedMessageIsRedeliveredToAnotherNode() async throws {
        try await withNodes(2) { _, _, nodes in
            let id = try await nodes[0].enqueue("crashy", on: "retry")
            let visibility: Duration = .seconds(2)
            let taken = ContinuousClock.now
            let first = try #require(try await nodes[0].dequeue(from: "retry", visibilityTimeout: visibility))
            // Invisible to the other node while the first holds it; a loaded machine may take longer than the
            // visibility timeout to get here, and then the redelivery is already due.
            var second = try await nodes[1].dequeue(from: "retry", visibilityTimeout: .seconds(30))
            if second != nil { #expect(taken.duration(to: .now) >= visibility, "redelivered before the visibility timeout") }
            if second == nil {
                try await PlatformTestSupport.eventually("redelivery to the second node") {
                    second = try await nodes[1].dequeue(from: "retry", visibilityTimeout: .seconds(30))
                    return second != nil
                }
            }
            #expect(second?.id == id && second?.deliveries == 2)
            #expect(try await !nodes[0].ack(first))
            #expect(try await nodes[1].ack(try #require(second)))
            #expect(try await nodes[0].length(of: "retry") == 0)
        }
    }

    @Test func expiredKeysAreInvisibleThenPurged() async throws {
        try await withNodes(2) { schema, clients, nodes in
            for index in 0..<5 { try await nodes[index % 2].set("short/\(index)", to: "x", ttl: .milliseconds(200)) }
            try await nodes[0].set("long", to: "x", ttl: .seconds(300))
            try await nodes[0].set("forever", to: "x")
            try await PlatformTestSupport.eventually("the short keys expiring") {
                try await nodes[1].get("short/4") == nil
            }
            for index in 0..<5 { #expect(try await !nodes[1].exists("short/\(index)")) }
            let stored = { @Sendable in try await PostgresTestClients.int(clients[0], "SELECT count(*) FROM \(unescaped: schema).cache_kv") }
            #expect(try await stored() == 7)
            #expect(try await nodes[1].purgeExpired() == 5)
            #expect(try await stored() == 2)
            #expect(try await nodes[0].exists("long"))
            #expect(try await nodes[0].exists("forever"))
        }
    }

    @Test func writesPurgeExpiredKeysByThemselves() async throws {
        try await withNodes(1, purgeEvery: 5) { schema, clients, nodes in
            for index in 0..<3 { try await nodes[0].set("old/\(index)", to: "x", ttl: .milliseconds(100)) }
            try await Task.sleep(for: .milliseconds(400))
            try await nodes[0].set("new/0", to: "x")
            try await nodes[0].set("new/1", to: "x")  // the fifth write purges
            let stored = try await PostgresTestClients.int(clients[0], "SELECT count(*) FROM \(unescaped: schema).cache_kv")
            #expect(stored == 2)
        }
    }

    @Test func migrateIsIdempotentAndSafeToRunConcurrently() async throws {
        let url = try await PlatformTestDatabase.shared.get()
        let schema = freshName("migrate")
        try await PostgresTestClients.withClients(3, url: url) { clients in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    let client = clients[index % clients.count]
                    group.addTask {
                        try await PostgresCacheBackend(client: client, configuration: .init(schema: schema)).migrate()
                        try await PostgresPubSub(client: client, configuration: .init(schema: schema)).migrate()
                    }
                }
                try await group.waitForAll()
            }
            let cache = try PostgresCacheBackend(client: clients[0], configuration: .init(schema: schema))
            try await cache.migrate()
            try await cache.set("k", to: "v")
            #expect(try await cache.string("k") == "v")
            let tables = try await PostgresTestClients.int(clients[0], """
                SELECT count(*) FROM information_schema.tables WHERE table_schema = \(schema)
                AND table_name IN ('cache_kv', 'cache_queue', 'pubsub_payloads')
                """)
            #expect(tables == 3)
        }
    }

    @Test func operationsBeforeMigrateFailWithAStorageError() async throws {
        let url = try await PlatformTestDatabase.shared.get()
        try await PostgresTestClients.withClient(url: url) { client in
            let cache = try PostgresCacheBackend(client: client, configuration: .init(schema: freshName("missing")))
            do {
                _ = try await cache.get("k")
                Issue.record("a read of a missing table succeeded")
            } catch let error as ReactorError {
                #expect(error.code == .storage)
                #expect(error.details["error"] != nil)
            }
        }
    }
}
