import Foundation
import ReactorAI
import ReactorAIProviders
import ReactorCore
import ReactorMemory
import ReactorTesting
import Synchronization
import Testing

/// The gateway: aliases, fallbacks (5xx, timeouts, refused connections fall through; a 4xx does not), round robin,
/// alias defaults, budgets, and usage metered once per request, streams and cancelled streams included.
@Suite("AI gateway: registry, fallbacks, metering", .timeLimit(.minutes(3)))
struct AIGatewayTests {
    /// A gateway with provider `up` on the fake upstream, `down` on a closed port, `mock` a mock, and `aliases`.
    static func gateway(
        _ base: String, aliases: [AIAlias], budget: Int? = nil, timeout: Duration = .seconds(10), now: @escaping @Sendable () -> Date = Date.init
    ) throws -> (AIGateway, MockChatProvider) {
        let mock = MockChatProvider(name: "mock")
        let up = OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(
            name: "up", baseURL: base + "/v1", requestTimeout: timeout, streamIdleTimeout: timeout))
        let down = OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(name: "down", baseURL: "http://127.0.0.1:\(LoopbackPort.closed)/v1"))
        let meter = AIUsageMeter(store: InMemoryAIUsageStore())
        return (try AIGateway(providers: [up, down, mock], aliases: aliases, meter: meter, dailyTokenBudget: budget, now: now), mock)
    }

    static func ask(_ model: String, _ text: String = "hi") -> ChatRequest {
        ChatRequest(model: model, messages: [(role: "user", content: text)])
    }

    static func targets(_ list: String...) -> [AITarget] { list.compactMap(AITarget.init(parsing:)) }

    static func usage(_ gateway: AIGateway) async throws -> [AIUsageSummary] {
        try await gateway.meter.summaries(since: nil, caller: nil)
    }

    @Test func fallsThroughFailedTargetsToOneThatAnswers() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let (gateway, _) = try Self.gateway(base, aliases: [
                AIAlias(name: "fast", targets: Self.targets("down:x", "up:fail", "up:echo")),
            ])
            let answer = try await gateway.chat(Self.ask("fast", "ping"), caller: "alice")
            #expect(answer.value.text == "echo: ping")
            #expect(answer.target == AITarget(provider: "up", model: "echo"))
            #expect(answer.attempts == 3)
            #expect(upstream.requests(model: "fail").count == 1)
            let usage = try await Self.usage(gateway)
            #expect(usage == [AIUsageSummary(caller: "alice", alias: "fast", requests: 1, failures: 0, promptTokens: 5, completionTokens: 3,
                                             latencyMilliseconds: usage.first?.latencyMilliseconds ?? 0)])
        }
    }

    @Test func aTimeoutFallsThroughToo() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let (gateway, mock) = try Self.gateway(base, aliases: [AIAlias(name: "fast", targets: Self.targets("up:hang", "mock:m"))],
                                                    timeout: .milliseconds(300))
            let answer = try await gateway.chat(Self.ask("fast"), caller: "alice")
            #expect(answer.target.provider == "mock")
            #expect(mock.requests.count == 1)
        }
    }

    @Test func theCallersOwnErrorIsNotRetriedElsewhere() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let (gateway, mock) = try Self.gateway(base, aliases: [AIAlias(name: "fast", targets: Self.targets("up:reject", "mock:m"))])
            await #expect(throws: ReactorError.self) { _ = try await gateway.chat(Self.ask("fast"), caller: "bob") }
            do {
                _ = try await gateway.chat(Self.ask("fast"), caller: "bob")
            } catch let error as ReactorError {
                #expect(error.code == .aiUpstreamRejected)
                #expect(error.message.contains("maximum context length"))
            }
            #expect(mock.requests.isEmpty)
            let usage = try await Self.usage(gateway)
            #expect(usage.first?.requests == 2 && usage.first?.failures == 2)
        }
    }

    @Test func whenEveryTargetFailsTheLastErrorCountsTheAttempts() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let (gateway, _) = try Self.gateway(base, aliases: [AIAlias(name: "fast", targets: Self.targets("up:fail", "down:x"))])
            do {
                _ = try await gateway.chat(Self.ask("fast"), caller: "alice")
                Issue.record("no error")
            } catch let error as ReactorError {
                #expect(error.code == .aiUpstreamUnavailable)
                #expect(error.details["attempts"] == "2")
            }
            let usage = try await Self.usage(gateway)
            #expect(usage.first?.failures == 1)
        }
    }

    @Test func namesResolveToAliasesOrProviderModels() async throws {
        let (gateway, mock) = try Self.gateway("http://127.0.0.1:\(LoopbackPort.closed)", aliases: [])
        let answer = try await gateway.chat(Self.ask("mock:some/model:v1"), caller: "alice")
        #expect(answer.target == AITarget(provider: "mock", model: "some/model:v1"))
        #expect(mock.requests.first?["model"] == "some/model:v1")
        for name in ["nope", "nobody:model", "mock:"] {
            do {
                _ = try await gateway.chat(Self.ask(name), caller: "alice")
                Issue.record("\(name) resolved")
            } catch let error as ReactorError {
                #expect(error.code == .aiModelNotFound)
            }
        }
        #expect(throws: ReactorError.self) {
            _ = try AIGateway(providers: [mock], aliases: [AIAlias(name: "x", targets: Self.targets("ghost:m"))],
                              meter: AIUsageMeter(store: InMemoryAIUsageStore()))
        }
    }

    @Test func roundRobinTakesTurnsAndDefaultsApply() async throws {
        let one = MockChatProvider(name: "one"), two = MockChatProvider(name: "two")
        let gateway = try AIGateway(
            providers: [one, two],
            aliases: [AIAlias(name: "rr", targets: Self.targets("one:a", "two:b"), strategy: .roundRobin, temperature: 0.2, maxTokens: 64)],
            meter: AIUsageMeter(store: InMemoryAIUsageStore()))
        var served: [String] = []
        for _ in 0..<4 { served.append(try await gateway.chat(Self.ask("rr"), caller: "c").target.provider) }
        #expect(served == ["one", "two", "one", "two"])
        #expect(one.requests.first?["temperature"] == 0.2)
        #expect(one.requests.first?["max_tokens"] == 64)
        _ = try await gateway.chat(ChatRequest(model: "rr", messages: [(role: "user", content: "x")], temperature: 1.5, maxTokens: 7), caller: "c")
        #expect(one.requests.last?["temperature"] == 1.5)
        #expect(one.requests.last?["max_tokens"] == 7)
    }

    @Test func aSpentBudgetIsRefusedUntilMidnight() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_760_000_000 + 3600))  // 01:00 UTC
        let mock = MockChatProvider(name: "mock", script: .answer("ok", usage: TokenUsage(promptTokens: 6, completionTokens: 4)))
        let gateway = try AIGateway(providers: [mock], aliases: [AIAlias(name: "fast", targets: Self.targets("mock:m"))],
                                    meter: AIUsageMeter(store: InMemoryAIUsageStore()), dailyTokenBudget: 15, now: { clock.withLock { $0 } })
        _ = try await gateway.chat(Self.ask("fast"), caller: "alice")
        _ = try await gateway.chat(Self.ask("fast"), caller: "alice")  // 10 used < 15: allowed, now 20
        do {
            _ = try await gateway.chat(Self.ask("fast"), caller: "alice")
            Issue.record("the budget was not enforced")
        } catch let error as ReactorError {
            #expect(error.code == .aiBudgetExceeded)
            #expect(error.details["used"] == "20")
            #expect(error.details["retryAfterSeconds"] == "\(86_400 - 3600 - (1_760_000_000 % 86_400))")
        }
        // Another caller has its own budget; the next UTC day renews it.
        _ = try await gateway.chat(Self.ask("fast"), caller: "bob")
        clock.withLock { $0 = $0.addingTimeInterval(86_400) }
        _ = try await gateway.chat(Self.ask("fast"), caller: "alice")
        #expect(mock.requests.count == 4)
    }

    @Test func streamsFallThroughBeforeTheirFirstChunkAndAreMeteredOnce() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let (gateway, _) = try Self.gateway(base, aliases: [
                AIAlias(name: "fast", targets: Self.targets("up:fail", "up:malformed-stream", "up:echo")),
            ])
            let relay = try await gateway.openStream(Self.ask("fast", "yo"), caller: "alice")
            #expect(relay.target == AITarget(provider: "up", model: "echo"))
            var texts: [String] = []
            var sawUsageChunk = false
            try await relay.relay { chunk in
                if let text = chunk.text { texts.append(text) }
                if chunk.usage != nil { sawUsageChunk = true }
            }
            #expect(texts == ["echo:", " ", "yo"])
            // The gateway asked for the usage chunk to meter the stream; the caller did not, so it was not relayed.
            #expect(upstream.requests(model: "echo").first?.body["stream_options"]?["include_usage"] == true)
            #expect(!sawUsageChunk)
            try await relay.relay { _ in Issue.record("relayed twice") }
            let usage = try await Self.usage(gateway)
            #expect(usage.count == 1)
            #expect(usage.first?.requests == 1 && usage.first?.promptTokens == 5 && usage.first?.completionTokens == 3)
        }
    }

    @Test func aStreamCutMidwayIsMeteredAsItsError() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let (gateway, _) = try Self.gateway(base, aliases: [AIAlias(name: "fast", targets: Self.targets("up:cut", "up:echo"))])
            let relay = try await gateway.openStream(Self.ask("fast"), caller: "alice")
            var texts: [String] = []
            await #expect(throws: ReactorError.self) { try await relay.relay { texts.append($0.text ?? "") } }
            #expect(texts == ["one", " two"])
            // Past the first chunk there is no fallback: the echo target was never asked.
            #expect(upstream.requests(model: "echo").isEmpty)
            let usage = try await Self.usage(gateway)
            #expect(usage.first?.requests == 1 && usage.first?.failures == 1)
        }
    }

    @Test func aRelayWhoseClientGoesAwayCancelsTheUpstreamAndIsMeteredOnce() async throws {
        let upstream = FakeUpstream(chunkDelay: .milliseconds(30), slowChunks: 500)
        try await withUpstream(upstream) { base in
            let (gateway, _) = try Self.gateway(base, aliases: [AIAlias(name: "slow", targets: Self.targets("up:slow"))])
            let relay = try await gateway.openStream(Self.ask("slow"), caller: "carol")
            struct ClientGone: Error {}
            var sent = 0
            await #expect(throws: ClientGone.self) {
                try await relay.relay { _ in
                    sent += 1
                    if sent == 3 { throw ClientGone() }
                }
            }
            try await eventually("the upstream saw the gateway go away") { upstream.cancelledStreams == 1 }
            let summaries = try await Self.usage(gateway)
            #expect(summaries == [AIUsageSummary(caller: "carol", alias: "slow", requests: 1, failures: 1, promptTokens: 0, completionTokens: 0,
                                                 latencyMilliseconds: summaries.first?.latencyMilliseconds ?? 0)])
        }
    }
}
