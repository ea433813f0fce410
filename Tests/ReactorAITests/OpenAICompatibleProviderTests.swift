import Foundation
import ReactorAIProviders
import ReactorCore
import ReactorTesting
import Testing

/// `OpenAICompatibleProvider` against the scripted fake upstream: answers, streams relayed as they arrive, every kind
/// of upstream failure mapped to its error, timeouts, cancellation reaching the upstream, the presets' wire shapes.
@Suite("OpenAI-compatible provider against a fake upstream", .timeLimit(.minutes(3)))
struct OpenAICompatibleProviderTests {
    static func provider(_ base: String, name: String = "fake", requestTimeout: Duration = .seconds(10), idle: Duration = .seconds(10)) -> OpenAICompatibleProvider {
        OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(
            name: name, baseURL: base + "/v1", apiKey: "sk-test", headers: ["X-Extra": "yes"], requestTimeout: requestTimeout, streamIdleTimeout: idle))
    }

    static func ask(_ model: String, _ text: String = "hi") -> ChatRequest {
        ChatRequest(model: model, messages: [(role: "user", content: text)])
    }

    /// The error `body` throws, as a ReactorError.
    static func failure(_ body: () async throws -> Void) async -> ReactorError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? ReactorError
        }
    }

    @Test func answersAndSendsTheKeyAndHeaders() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let answer = try await Self.provider(base).chatCompletion(Self.ask("echo", "ping"))
            #expect(answer.text == "echo: ping")
            #expect(answer.usage == TokenUsage(promptTokens: 5, completionTokens: 3))
            let seen = try #require(upstream.seen.first)
            #expect(seen.path == "/v1/chat/completions")
            #expect(seen.headers["authorization"] == "Bearer sk-test")
            #expect(seen.headers["x-extra"] == "yes")
            #expect(seen.body["stream"] == nil)
            let models = try await Self.provider(base).models()
            #expect(models.map(\.id) == ["echo", "slow"])
            let embeddings = try await Self.provider(base).embeddings(EmbeddingsRequest(model: "embed", input: ["a", "b"]))
            #expect(embeddings.json["data"]?.arrayValue?.count == 2)
            #expect(embeddings.usage?.promptTokens == 4)
        }
    }

    @Test func streamsChunksParsedFromServerSentEvents() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            var request = Self.ask("echo", "pong")
            request.set("stream_options", ["include_usage": true])
            var texts: [String] = []
            var usage: TokenUsage?
            var elapsed: [Duration] = []
            for try await chunk in try await Self.provider(base).streamChatCompletion(request) {
                if let text = chunk.text { texts.append(text) }
                if let u = chunk.usage { usage = u }
                elapsed.append(chunk.elapsed)
            }
            #expect(texts == ["echo:", " ", "pong"])
            #expect(usage == TokenUsage(promptTokens: 5, completionTokens: 3))
            #expect(elapsed == elapsed.sorted())
            #expect(upstream.seen.first?.body["stream"] == true)
            #expect(upstream.seen.first?.headers["accept"] == "text/event-stream")
        }
    }

    /// The first chunk is in the consumer's hands while the upstream is still writing: nothing is buffered whole.
    @Test func streamedChunksArriveBeforeTheUpstreamFinishes() async throws {
        // 3 s of chunks: the margin a busy test process needs before the first one is read.
        let upstream = FakeUpstream(chunkDelay: .milliseconds(100), slowChunks: 30)
        try await withUpstream(upstream) { base in
            var iterator = try await Self.provider(base).streamChatCompletion(Self.ask("slow")).makeAsyncIterator()
            let first = try #require(try await iterator.next())
            #expect(first.text == "w0 ")
            #expect(upstream.sentChunks < 30)
            var count = 1
            while let chunk = try await iterator.next() { if chunk.text != nil { count += 1 } }
            #expect(count == 30)
            #expect(upstream.finishedStreams == 1)
        }
    }

    @Test func upstreamFailuresAreTyped() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let provider = Self.provider(base)
            let fail = await Self.failure { _ = try await provider.chatCompletion(Self.ask("fail")) }
            #expect(fail?.code == .aiUpstreamUnavailable)
            #expect(fail?.details["status"] == "500")
            #expect(fail?.fallsThrough == true)
            #expect(fail?.message.contains("10.0.0.1") == false)
            let unauthorized = await Self.failure { _ = try await provider.chatCompletion(Self.ask("unauthorized")) }
            #expect(unauthorized?.code == .aiUpstreamUnavailable)
            #expect(unauthorized?.details["reason"] == "upstream_auth")
            let busy = await Self.failure { _ = try await provider.chatCompletion(Self.ask("busy")) }
            #expect(busy?.code == .aiUpstreamUnavailable)
            let reject = await Self.failure { _ = try await provider.chatCompletion(Self.ask("reject")) }
            #expect(reject?.code == .aiUpstreamRejected)
            #expect(reject?.message == "This model's maximum context length is 8 tokens")
            #expect(reject?.details["status"] == "400")
            #expect(reject?.fallsThrough == false)
            let malformed = await Self.failure { _ = try await provider.chatCompletion(Self.ask("malformed")) }
            #expect(malformed?.code == .aiUpstreamUnavailable)
            #expect(malformed?.details["reason"] == "malformed")
            let streamFail = await Self.failure { _ = try await provider.streamChatCompletion(Self.ask("fail")) }
            #expect(streamFail?.code == .aiUpstreamUnavailable)
        }
    }

    @Test func brokenStreamsAreTyped() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let provider = Self.provider(base)
            var texts: [String] = []
            let cut = await Self.failure {
                for try await chunk in try await provider.streamChatCompletion(Self.ask("cut")) { texts.append(chunk.text ?? "") }
            }
            #expect(texts == ["one", " two"])
            #expect(cut?.code == .aiUpstreamUnavailable)
            #expect(cut?.details["reason"] == "stream_cut")
            let malformed = await Self.failure {
                for try await _ in try await provider.streamChatCompletion(Self.ask("malformed-stream")) {}
            }
            #expect(malformed?.code == .aiUpstreamUnavailable)
            #expect(malformed?.details["reason"] == "malformed")
        }
    }

    @Test func hangsAreTimeouts() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            // The upstream hangs for an hour: the timeouts only have to outlast a busy test process's delays (the first
            // chunk of "stall" must arrive within them), not be short.
            let provider = Self.provider(base, requestTimeout: .seconds(3), idle: .seconds(3))
            let started = ContinuousClock.now
            let hang = await Self.failure { _ = try await provider.chatCompletion(Self.ask("hang")) }
            #expect(hang?.code == .aiUpstreamTimeout)
            #expect(hang?.fallsThrough == true)
            var texts: [String] = []
            let stall = await Self.failure {
                for try await chunk in try await provider.streamChatCompletion(Self.ask("stall")) { texts.append(chunk.text ?? "") }
            }
            #expect(texts == ["first"])
            #expect(stall?.code == .aiUpstreamTimeout)
            #expect(ContinuousClock.now - started < .seconds(120))
        }
    }

    @Test func anUnreachableUpstreamIsUnavailable() async throws {
        let provider = Self.provider("http://127.0.0.1:\(LoopbackPort.closed)")
        let error = await Self.failure { _ = try await provider.chatCompletion(Self.ask("echo")) }
        #expect(error?.code == .aiUpstreamUnavailable)
        #expect(error?.details["reason"] == "unreachable")
        #expect(error?.message.contains("127.0.0.1") == false)
        let stream = await Self.failure { _ = try await provider.streamChatCompletion(Self.ask("echo")) }
        #expect(stream?.code == .aiUpstreamUnavailable)
    }

    /// Cancelling the task that reads a stream cancels the upstream request: the fake upstream sees its client go.
    @Test func cancellingTheReaderCancelsTheUpstream() async throws {
        let upstream = FakeUpstream(chunkDelay: .milliseconds(50), slowChunks: 400)
        try await withUpstream(upstream) { base in
            let provider = Self.provider(base)
            let (firstSeen, seen) = AsyncStream<Void>.makeStream()
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in try await provider.streamChatCompletion(Self.ask("slow")) { seen.yield() }
                }
                for await _ in firstSeen { break }
                group.cancelAll()
                try? await group.waitForAll()
            }
            try await eventually("the upstream saw the stream's client go away") { upstream.cancelledStreams == 1 }
            #expect(upstream.finishedStreams == 0)
            #expect(upstream.sentChunks < 400)
        }
    }

    @Test func presetsAddressTheirAPIs() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { base in
            let router = OpenAICompatibleProvider(configuration: .openRouter(
                name: "or", apiKey: "sk-or", baseURL: base + "/v1", referer: "https://app.example.com", title: "Reactor app"))
            _ = try await router.chatCompletion(Self.ask("echo"))
            let routerSeen = try #require(upstream.seen.last)
            #expect(routerSeen.headers["authorization"] == "Bearer sk-or")
            #expect(routerSeen.headers["http-referer"] == "https://app.example.com")
            #expect(routerSeen.headers["x-title"] == "Reactor app")
            let azure = OpenAICompatibleProvider(configuration: .azureFoundry(name: "az", endpoint: base, apiKey: "az-key", apiVersion: "2024-10-21"))
            let answer = try await azure.chatCompletion(Self.ask("my-deployment"))
            #expect(answer.text == "echo: hi")
            let azureSeen = try #require(upstream.seen.last)
            #expect(azureSeen.path == "/openai/deployments/my-deployment/chat/completions")
            #expect(azureSeen.query == "api-version=2024-10-21")
            #expect(azureSeen.headers["api-key"] == "az-key")
            #expect(azureSeen.headers["authorization"] == nil)
        }
        #expect(OpenAICompatibleConfiguration.openRouter(apiKey: "k").baseURL == "https://openrouter.ai/api/v1")
    }
}
