import PostgresNIO
import ReactorCore
import ReactorPostgres
import ReactorTesting
import Synchronization
import Testing

@Suite("PostgresPubSub on a real server", .timeLimit(.minutes(10)))
struct PostgresPubSubTests {
    /// Runs two pub/sub "nodes" (each on its own client) with `configuration` while `body` runs.
    func withNodes<T: Sendable>(
        _ configuration: PostgresPubSub.Configuration,
        _ body: @Sendable ([PostgresClient], [PostgresPubSub]) async throws -> T
    ) async throws -> T {
        let url = try await PlatformTestDatabase.shared.get()
        return try await PostgresTestClients.withClients(2, url: url) { clients in
            let nodes = try clients.map { try PostgresPubSub(client: $0, configuration: configuration) }
            try await nodes[0].migrate()
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for node in nodes { group.addTask { try await node.run() } }
                defer { group.cancelAll() }
                return try await body(clients, nodes)
            }
        }
    }

    func freshConfiguration(retention: Duration = .seconds(300)) -> PostgresPubSub.Configuration {
        PostgresPubSub.Configuration(
            schema: freshName("pubsub"), channelPrefix: freshName("t"), payloadRetention: retention,
            reconnectDelay: .milliseconds(100), applicationName: freshName("pubsub"))
    }

    /// Resubscribing at once after a channel's last subscription ended: postgres-nio sends the new LISTEN only after
    /// the UNLISTEN of the old one, and the new subscription must not start before that LISTEN is active.
    @Test func aChannelResubscribedAtOnceMissesNothing() async throws {
        try await withNodes(freshConfiguration()) { _, nodes in
            for round in 0..<100 {
                try await nodes[1].withSubscription(to: "flip") { subscription in
                    try await nodes[0].publish("round \(round)", to: "flip")
                    let received = try await PlatformTestSupport.collect(1, from: subscription, timeout: .seconds(5)).map(\.string)
                    #expect(received == ["round \(round)"])
                }
            }
        }
    }

    @Test func twoNodesSeeEachOthersMessages() async throws {
        try await withNodes(freshConfiguration()) { _, nodes in
            try await nodes[0].withSubscription(to: "cluster/events") { onFirst in
                try await nodes[1].withSubscription(to: "cluster/events") { onSecond in
                    try await nodes[0].publish("from first", to: "cluster/events")
                    try await nodes[1].publish("from second", to: "cluster/events")
                    for subscription in [onFirst, onSecond] {
                        let received = try await PlatformTestSupport.collect(2, from: subscription).map(\.string)
                        #expect(received == ["from first", "from second"])
                    }
                }
            }
        }
    }

    @Test func aOneMegabytePayloadTravelsByReference() async throws {
        let configuration = freshConfiguration()
        try await withNodes(configuration) { clients, nodes in
            let payload = (0..<(1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
            try await nodes[1].withSubscription(to: "big") { subscription in
                try await nodes[0].publish(payload, to: "big")
                try await nodes[0].publish("small after big", to: "big")
                let received = try await PlatformTestSupport.collect(2, from: subscription)
                #expect(received[0].payload == payload)
                #expect(received[1].string == "small after big")
            }
            let stored = try await PostgresTestClients.int(
                clients[0], "SELECT count(*) FROM \(unescaped: configuration.schema).pubsub_payloads WHERE channel = 'big'")
            #expect(stored == 1)
            // Nothing is old enough to purge yet.
            #expect(try await nodes[0].purgePayloads() == 0)
        }
    }

    /// Retention is measured with the database's clock, so the test ages rows in the database instead of waiting.
    @Test func oldStoredPayloadsArePurged() async throws {
        let configuration = freshConfiguration(retention: .seconds(60))
        try await withNodes(configuration) { clients, nodes in
            let big = [UInt8](repeating: 7, count: 20_000)
            let table = "\(configuration.schema).pubsub_payloads"
            for _ in 0..<3 { try await nodes[0].publish(big, to: "purge") }
            let count = { @Sendable in
                try await PostgresTestClients.int(clients[0], "SELECT count(*) FROM \(unescaped: table)")
            }
            @Sendable func age(by seconds: Int) async throws {
                try await clients[0].query("UPDATE \(unescaped: table) SET created_at = created_at - \(seconds) * interval '1 second'")
            }
            #expect(try await count() == 3)
            // Well younger than the retention (a slow machine adds real seconds): kept by a later large publish and
            // by a purge.
            try await age(by: 30)
            try await nodes[1].publish(big, to: "purge")
            #expect(try await count() == 4)
            #expect(try await nodes[0].purgePayloads() == 0)
            // The first three pass the retention, the fourth does not: a later large publish deletes the three.
            try await age(by: 40)
            try await nodes[1].publish(big, to: "purge")
            #expect(try await count() == 2)
            // And a purge deletes whatever passed it since.
            try await age(by: 61)
            #expect(try await nodes[0].purgePayloads() == 2)
            #expect(try await count() == 0)
        }
    }

    @Test func aLostListeningConnectionEndsSubscriptionsAndReconnects() async throws {
        let configuration = freshConfiguration()
        try await withNodes(configuration) { clients, nodes in
            let failure: (any Error)? = try await nodes[1].withSubscription(to: "fragile") { subscription in
                try await nodes[0].publish("before the loss", to: "fragile")
                let first = try await PlatformTestSupport.collect(1, from: subscription)
                #expect(first.first?.string == "before the loss")
                let killed = try await PostgresTestClients.int(clients[0], """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = \(configuration.applicationName)
                    """)
                #expect(killed == 2)
                do {
                    for try await message in subscription { Issue.record("unexpected message '\(message.string)' after the loss") }
                    return nil
                } catch {
                    return error
                }
            }
            let error = try #require(failure as? ReactorError)
            #expect(error.code == .storage)
            #expect(error.isTransient)
            // A new subscription waits for the reconnection, then works across nodes again.
            try await nodes[1].withSubscription(to: "fragile") { subscription in
                try await nodes[0].withSubscription(to: "fragile") { other in
                    try await nodes[0].publish("after the reconnection", to: "fragile")
                    #expect(try await PlatformTestSupport.collect(1, from: subscription).first?.string == "after the reconnection")
                    #expect(try await PlatformTestSupport.collect(1, from: other).first?.string == "after the reconnection")
                }
            }
        }
    }

    @Test func aSubscriptionWaitsForRunAndEndsWhenRunEnds() async throws {
        let url = try await PlatformTestDatabase.shared.get()
        let configuration = freshConfiguration()
        try await PostgresTestClients.withClient(url: url) { client in
            let node = try PostgresPubSub(client: client, configuration: configuration)
            let publisher = try PostgresPubSub(client: client, configuration: configuration)
            try await node.migrate()
            let received = ReceivedFlag()
            let outcome: (any Error)? = try await withThrowingTaskGroup(of: (any Error)?.self) { group in
                // Subscribe first: the subscription becomes active once run() below has connected.
                group.addTask {
                    try await node.withSubscription(to: "late start") { subscription in
                        try await publisher.publish("hello", to: "late start")
                        #expect(try await PlatformTestSupport.collect(1, from: subscription).first?.string == "hello")
                        received.set()
                        do {
                            for try await _ in subscription {}
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(200))
                let (stop, stopContinuation) = AsyncStream.makeStream(of: Void.self)
                group.addTask {
                    await withThrowingTaskGroup(of: Void.self) { inner in
                        inner.addTask { try await node.run() }
                        for await _ in stop { break }
                        inner.cancelAll()
                    }
                    return nil
                }
                // run() ends only once the message arrived (a fixed pause was too short for a busy test process).
                try await eventually("the subscription receives the message") { received.isSet }
                stopContinuation.yield()
                var result: (any Error)?
                for try await value in group { if let value { result = value } }
                return result
            }
            #expect((outcome as? ReactorError)?.code == .shutdown)
            await #expect(throws: ReactorError.self) {
                try await node.withSubscription(to: "after the end") { _ in }
            }
            await #expect(throws: ReactorError.self) { try await node.run() }
        }
    }

    @Test func channelNamesMapToSafeDistinctIdentifiers() async throws {
        let url = try await PlatformTestDatabase.shared.get()
        try await PostgresTestClients.withClient(url: url) { client in
            let pubsub = try PostgresPubSub(client: client, configuration: .init(channelPrefix: "reactor"))
            let names = ["a.b", "a-b", "A_B", "documents/global", "日本", String(repeating: "x", count: 256), "x"]
            let mapped = names.map(pubsub.notificationChannel(for:))
            #expect(Set(mapped).count == names.count)
            for channel in mapped {
                #expect(channel.utf8.count <= 63)
                #expect(channel.hasPrefix("reactor_"))
                #expect(channel.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
            }
            #expect(pubsub.notificationChannel(for: "documents/global") == mapped[3])
            #expect(mapped[3].hasPrefix("reactor_documentsglobal_"))
        }
    }

    @Test func badSettingsAreRejected() async throws {
        let url = try await PlatformTestDatabase.shared.get()
        try await PostgresTestClients.withClient(url: url) { client in
            for configuration in [
                PostgresPubSub.Configuration(schema: "Bad-Schema"), PostgresPubSub.Configuration(schema: ""),
                PostgresPubSub.Configuration(channelPrefix: "x\"; DROP"), PostgresPubSub.Configuration(channelPrefix: String(repeating: "p", count: 21)),
                PostgresPubSub.Configuration(inlineLimit: 8_000), PostgresPubSub.Configuration(reconnectDelay: .zero),
            ] {
                #expect(throws: ReactorError.self) { try PostgresPubSub(client: client, configuration: configuration) }
            }
            #expect(throws: ReactorError.self) { try PostgresCacheBackend(client: client, configuration: .init(schema: "1abc")) }
            #expect(throws: ReactorError.self) {
                try PostgresLeaderElection(client: client, configuration: .init(checkInterval: .zero))
            }
        }
    }
}

/// Set once by one task, read by another.
private final class ReceivedFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
