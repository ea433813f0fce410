import ReactorCore
import ReactorMemory
import ReactorTesting
import Testing

/// Deterministic checks of TTLs and visibility timeouts on a manual clock.
@Suite("InMemoryCacheBackend on a manual clock", .timeLimit(.minutes(3)))
struct InMemoryCacheBackendTests {
    @Test func keysExpireExactlyAtTheirTTL() async throws {
        let clock = ManualClock()
        let cache = InMemoryCacheBackend(now: clock.nowFunction)
        try await cache.set("k", to: "v", ttl: .seconds(10))
        clock.advance(by: .seconds(9))
        #expect(try await cache.string("k") == "v")
        #expect(try await cache.expire("k", ttl: .seconds(5)))
        clock.advance(by: .seconds(4))
        #expect(try await cache.exists("k"))
        clock.advance(by: .seconds(1))
        #expect(try await cache.get("k") == nil)
        #expect(try await !cache.delete("k"))
        #expect(try await !cache.expire("k", ttl: .seconds(5)))
    }

    @Test func purgeRemovesOnlyExpiredKeys() async throws {
        let clock = ManualClock()
        let cache = InMemoryCacheBackend(now: clock.nowFunction)
        for index in 0..<10 { try await cache.set("short/\(index)", to: "x", ttl: .seconds(1)) }
        try await cache.set("long", to: "x", ttl: .seconds(100))
        try await cache.set("forever", to: "x")
        #expect(cache.storedKeyCount == 12)
        clock.advance(by: .seconds(2))
        #expect(cache.purgeExpired() == 10)
        #expect(cache.storedKeyCount == 2)
        #expect(try await cache.exists("long"))
        #expect(try await cache.exists("forever"))
    }

    @Test func writesSweepExpiredKeysByThemselves() async throws {
        let clock = ManualClock()
        let cache = InMemoryCacheBackend(now: clock.nowFunction)
        for index in 0..<100 { try await cache.set("old/\(index)", to: "x", ttl: .seconds(1)) }
        clock.advance(by: .seconds(2))
        for index in 0..<InMemoryCacheBackend.sweepInterval { try await cache.set("new/\(index % 10)", to: "x") }
        #expect(cache.storedKeyCount == 10)
    }

    @Test func visibilityTimeoutAndDelaysFollowTheClock() async throws {
        let clock = ManualClock()
        let cache = InMemoryCacheBackend(now: clock.nowFunction)
        try await cache.enqueue("a", on: "q")
        try await cache.enqueue("b", on: "q", delay: .seconds(30))
        let first = try #require(try await cache.dequeue(from: "q", visibilityTimeout: .seconds(10)))
        #expect(first.string == "a" && first.deliveries == 1)
        clock.advance(by: .seconds(9))
        #expect(try await cache.dequeue(from: "q", visibilityTimeout: .seconds(10)) == nil)
        clock.advance(by: .seconds(1))
        let second = try #require(try await cache.dequeue(from: "q", visibilityTimeout: .seconds(10)))
        #expect(second.id == first.id && second.deliveries == 2)
        #expect(try await !cache.ack(first))
        #expect(try await cache.nack(second, delay: .seconds(5)))
        clock.advance(by: .seconds(4))
        #expect(try await cache.dequeue(from: "q", visibilityTimeout: .seconds(10)) == nil)
        clock.advance(by: .seconds(20))
        // Both are visible now: the lower id comes first.
        let third = try #require(try await cache.dequeue(from: "q", visibilityTimeout: .seconds(10)))
        #expect(third.string == "a" && third.deliveries == 3)
        let fourth = try #require(try await cache.dequeue(from: "q", visibilityTimeout: .seconds(10)))
        #expect(fourth.string == "b" && fourth.deliveries == 1)
        #expect(try await cache.length(of: "q") == 2)
        #expect(try await cache.ack(third))
        #expect(try await cache.ack(fourth))
        #expect(try await cache.length(of: "q") == 0)
    }
}

@Suite("InProcessPubSub and AlwaysLeader", .timeLimit(.minutes(3)))
struct InProcessPlatformTests {
    @Test func subscriptionsAreRemovedWhenTheirScopeEnds() async throws {
        let pubsub = InProcessPubSub()
        try await pubsub.withSubscription(to: "c") { _ in
            #expect(pubsub.subscriptionCount(of: "c") == 1)
            try await pubsub.withSubscription(to: "c") { _ in
                #expect(pubsub.subscriptionCount(of: "c") == 2)
            }
            #expect(pubsub.subscriptionCount(of: "c") == 1)
        }
        #expect(pubsub.subscriptionCount(of: "c") == 0)
    }

    @Test func aSubscriptionEndsWhenItsScopeEnds() async throws {
        let pubsub = InProcessPubSub()
        let subscription = try await pubsub.withSubscription(to: "c") { subscription in
            try await pubsub.publish("kept", to: "c")
            return subscription
        }
        try await pubsub.publish("after the end", to: "c")
        var received: [String] = []
        for try await message in subscription { received.append(message.string) }
        #expect(received == ["kept"])
    }

    @Test func alwaysLeaderTracksHeldNames() async throws {
        let election = AlwaysLeader()
        let inside = try await election.withLeadershipIfAvailable(of: "jobs") { _ in election.isHeld("jobs") }
        #expect(inside == true)
        #expect(!election.isHeld("jobs"))
    }
}
