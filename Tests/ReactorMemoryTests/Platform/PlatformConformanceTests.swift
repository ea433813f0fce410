import ReactorCore
import ReactorMemory
import ReactorTesting
import Testing

@Suite("In-memory platform conformance", .timeLimit(.minutes(3)))
struct PlatformConformanceTests {
    @Test(arguments: CacheConformance.cases)
    func inMemoryCache(_ c: CacheConformanceCase) async throws {
        let cache = InMemoryCacheBackend()
        try await c.run { cache }
    }

    @Test(arguments: PubSubConformance.cases)
    func inProcessPubSub(_ c: PubSubConformanceCase) async throws {
        let pubsub = InProcessPubSub()
        try await c.run { pubsub }
        #expect(pubsub.subscriptionCount(of: "news") == 0)
    }

    @Test(arguments: LeaderElectionConformance.cases)
    func alwaysLeader(_ c: LeaderElectionConformanceCase) async throws {
        let election = AlwaysLeader()
        try await c.run { election }
    }
}
