import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ReactorAI
import ReactorAIProviders
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorServer
import ReactorTesting
import Testing

/// Test tokens: "admin" (alice, admin role) and "user" (bob).
struct TestAuth: AuthClient {
    func verify(token: String) async throws -> AuthClaims {
        switch token {
        case "admin": return AuthClaims(subject: "alice", roles: ["admin"])
        case "user": return AuthClaims(subject: "bob")
        default: throw ReactorError(.tokenSignature, "the token's signature does not verify")
        }
    }

    func user(id: String) async throws -> AuthUser { AuthUser(id: id) }
}

/// The whole server with `gateway` behind /ai/v1 on a free loopback port (the gateway's meter running as a backend).
func withAIServer(gateway: AIGateway?, auth: (any AuthClient)? = nil, _ body: @Sendable (_ base: String, _ metrics: ServerMetrics) async throws -> Void) async throws {
    let reactor = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).build()
    let metrics = ServerMetrics()
    let deps = ServerDependencies(reactor: reactor, auth: auth, metrics: metrics, ai: gateway)
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await ServerRuntime.run(deps, host: "127.0.0.1", port: 0, backends: gateway.map { [$0] } ?? [],
                                        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), handleSignals: false) { port in
                portContinuation.yield(port)
            }
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        defer { group.cancelAll() }
        try await body("http://127.0.0.1:\(port)", metrics)
    }
}

/// A reply: status, headers, body as JSON (null when it is not JSON) and text.
struct AIReply: Sendable {
    var status: Int
    var headers: [String: String]
    var json: JSONValue
    var text: String
    var code: String? { json["error"]?["code"]?.stringValue }
}

func call(_ method: HTTPMethod, _ url: String, json: JSONValue? = nil, token: String? = nil) async throws -> AIReply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let json {
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: json.canonicalData))
    }
    if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let text = String(buffer: try await response.body.collect(upTo: 4 << 20))
    var headers: [String: String] = [:]
    for header in response.headers { headers[header.name.lowercased()] = header.value }
    return AIReply(status: Int(response.status.code), headers: headers, json: (try? JSONValueCoder.parse(text)) ?? .null, text: text)
}

/// The `data:` payloads of a complete SSE text.
func ssePayloads(_ text: String) -> [String] {
    text.components(separatedBy: "\n\n").compactMap { block in
        block.split(separator: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }
}

@Suite("AI gateway over HTTP (/ai/v1)", .timeLimit(.minutes(3)))
struct AIRouteTests {
    static func gateway(_ base: String, budget: Int? = nil) throws -> AIGateway {
        let up = OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(name: "up", baseURL: base + "/v1", apiKey: "sk-secret"))
        let down = OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(name: "down", baseURL: "http://127.0.0.1:\(LoopbackPort.closed)/v1"))
        return try AIGateway(
            providers: [up, down],
            aliases: [
                AIAlias(name: "fast", targets: [AITarget(provider: "down", model: "x"), AITarget(provider: "up", model: "echo")], maxTokens: 32),
                AIAlias(name: "slow", targets: [AITarget(provider: "up", model: "slow")]),
                AIAlias(name: "broken", targets: [AITarget(provider: "up", model: "fail"), AITarget(provider: "down", model: "x")]),
                AIAlias(name: "cut", targets: [AITarget(provider: "up", model: "cut")]),
                AIAlias(name: "picky", targets: [AITarget(provider: "up", model: "reject")]),
            ],
            meter: AIUsageMeter(store: InMemoryAIUsageStore()), dailyTokenBudget: budget)
    }

    static func chat(_ model: String, _ text: String = "hello", stream: Bool = false) -> JSONValue {
        ["model": .string(model), "messages": [["role": "user", "content": .string(text)]], "stream": .bool(stream)]
    }

    @Test func chatCompletionsAnswerThroughAnAlias() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { upstreamBase in
            try await withAIServer(gateway: try Self.gateway(upstreamBase)) { base, metrics in
                let reply = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("fast", "ping"))
                #expect(reply.status == 200)
                #expect(reply.json["choices"]?.arrayValue?.first?["message"]?["content"] == "echo: ping")
                #expect(reply.headers["reactor-ai-upstream"] == "up:echo")
                #expect(upstream.requests(model: "echo").first?.body["max_tokens"] == 32)
                let models = try await call(.GET, "\(base)/ai/v1/models")
                let ids = models.json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                #expect(ids.starts(with: ["broken", "cut", "fast", "picky", "slow"]))
                #expect(ids.contains("up:echo"))
                #expect(models.json["unavailable"] == ["down"])
                let embeddings = try await call(.POST, "\(base)/ai/v1/embeddings", json: ["model": "up:embed", "input": ["a", "b", "c"]])
                #expect(embeddings.json["data"]?.arrayValue?.count == 3)
                let usage = try await call(.GET, "\(base)/ai/v1/usage")
                let rows = usage.json["usage"]?.arrayValue ?? []
                #expect(rows.count == 2)
                #expect(rows.first { $0["alias"] == "fast" }?["promptTokens"] == 5)
                #expect(rows.first { $0["alias"] == "up:embed" }?["promptTokens"] == 6)
                let text = String(decoding: metrics.render(), as: UTF8.self)
                #expect(text.contains(#"reactor_ai_requests_total{alias="fast",provider="up",outcome="ok"} 1"#), "\(text)")
                #expect(text.contains(#"reactor_ai_tokens_total{alias="fast",provider="up",kind="completion"} 3"#))
                // Names callers make up do not become series of their own (up:* counts the embeddings call too).
                _ = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("made-up-\(UUID().uuidString)"))
                _ = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("up:echo-\(UUID().uuidString)"))
                let after = String(decoding: metrics.render(), as: UTF8.self)
                #expect(after.contains(#"reactor_ai_requests_total{alias="-",provider="",outcome="AI_MODEL_NOT_FOUND"} 1"#), "\(after)")
                #expect(after.contains(#"reactor_ai_requests_total{alias="up:*",provider="up",outcome="ok"} 2"#))
                #expect(!after.contains("made-up-") && !after.contains("echo-"))
            }
        }
    }

    @Test func errorsAreTypedAndLeakNothing() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { upstreamBase in
            try await withAIServer(gateway: try Self.gateway(upstreamBase, budget: 8)) { base, _ in
                let unknown = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("nope"))
                #expect(unknown.status == 404)
                #expect(unknown.code == "AI_MODEL_NOT_FOUND")
                let broken = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("broken"))
                #expect(broken.status == 502)
                #expect(broken.code == "AI_UPSTREAM_UNAVAILABLE")
                #expect(broken.json["error"]?["details"]?["attempts"] == "2")
                #expect(!broken.text.contains("127.0.0.1") && !broken.text.contains("10.0.0.1") && !broken.text.contains("sk-secret"))
                let picky = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("picky"))
                #expect(picky.status == 400)
                #expect(picky.code == "AI_UPSTREAM_REJECTED")
                #expect(picky.json["error"]?["message"] == "This model's maximum context length is 8 tokens")
                let bad = try await call(.POST, "\(base)/ai/v1/chat/completions", json: ["model": "fast", "messages": []])
                #expect(bad.status == 400)
                #expect(bad.code == "INVALID_INPUT")
                // 8 tokens spent by one answer: the next is refused until midnight UTC.
                _ = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("fast"))
                let spent = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("fast"))
                #expect(spent.status == 429)
                #expect(spent.code == "AI_BUDGET_EXCEEDED")
                #expect(Int(spent.headers["retry-after"] ?? "") ?? 0 >= 1)
            }
        }
        try await withAIServer(gateway: nil) { base, _ in
            let off = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("fast"))
            #expect(off.status == 404)
            #expect(off.code == "AI_DISABLED")
        }
    }

    @Test func streamsAreRelayedChunkByChunk() async throws {
        let upstream = FakeUpstream(chunkDelay: .milliseconds(100), slowChunks: 30)
        try await withUpstream(upstream) { upstreamBase in
            try await withAIServer(gateway: try Self.gateway(upstreamBase)) { base, _ in
                var request = HTTPClientRequest(url: "\(base)/ai/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: Self.chat("slow", stream: true).canonicalData))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "content-type") == "text/event-stream")
                var text = ""
                var sentWhenFirstArrived: Int?
                for try await buffer in response.body {
                    text += String(buffer: buffer)
                    if sentWhenFirstArrived == nil, text.contains("w0 ") { sentWhenFirstArrived = upstream.sentChunks }
                }
                // The first chunk reached the client while the upstream still had most of its chunks to send.
                #expect((sentWhenFirstArrived ?? 99) < 30)
                let payloads = ssePayloads(text)
                #expect(payloads.last == "[DONE]")
                let words = payloads.dropLast().compactMap { try? JSONValueCoder.parse($0) }.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }
                #expect(words == (0..<30).map { "w\($0) " })
            }
        }
    }

    @Test func aStreamCutMidwayEndsWithAnErrorEvent() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { upstreamBase in
            try await withAIServer(gateway: try Self.gateway(upstreamBase)) { base, _ in
                let reply = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("cut", stream: true))
                #expect(reply.status == 200)
                let payloads = ssePayloads(reply.text)
                #expect(payloads.count == 3)
                let last = try JSONValueCoder.parse(try #require(payloads.last))
                #expect(last["error"]?["code"] == "AI_UPSTREAM_UNAVAILABLE")
                #expect(!payloads.contains("[DONE]"))
                // A stream that fails before its first chunk is an ordinary error answer.
                let broken = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("broken", stream: true))
                #expect(broken.status == 502)
            }
        }
    }

    /// A client that goes away mid-stream: the upstream request is cancelled, and the request is metered once.
    @Test func aClientDisconnectCancelsTheUpstream() async throws {
        let upstream = FakeUpstream(chunkDelay: .milliseconds(30), slowChunks: 1000)
        try await withUpstream(upstream) { upstreamBase in
            let gateway = try Self.gateway(upstreamBase)
            try await withAIServer(gateway: gateway) { base, _ in
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                do {
                    await withThrowingTaskGroup(of: Void.self) { group in
                        let (firstSeen, seen) = AsyncStream<Void>.makeStream()
                        group.addTask {
                            var request = HTTPClientRequest(url: "\(base)/ai/v1/chat/completions")
                            request.method = .POST
                            request.headers.add(name: "content-type", value: "application/json")
                            request.body = .bytes(ByteBuffer(bytes: Self.chat("slow", stream: true).canonicalData))
                            let response = try await client.execute(request, timeout: .seconds(60))
                            for try await _ in response.body { seen.yield() }
                        }
                        for await _ in firstSeen { break }
                        group.cancelAll()
                        try? await group.waitForAll()
                    }
                    try await client.shutdown()
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                try await eventually("the upstream saw the gateway go away") { upstream.cancelledStreams == 1 }
                #expect(upstream.sentChunks < 1000)
                try await eventually("the request was metered") {
                    (try await gateway.meter.summaries(since: nil, caller: nil)).first?.requests == 1
                }
                let summaries = try await gateway.meter.summaries(since: nil, caller: nil)
                #expect(summaries.count == 1 && summaries.first?.requests == 1 && summaries.first?.failures == 1)
            }
        }
    }

    @Test func theGatewayIsBehindAuth() async throws {
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { upstreamBase in
            try await withAIServer(gateway: try Self.gateway(upstreamBase), auth: TestAuth()) { base, _ in
                let anonymous = try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("fast"))
                #expect(anonymous.status == 401)
                #expect(try await call(.GET, "\(base)/ai/v1/models").status == 401)
                #expect(try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("fast"), token: "user").status == 200)
                #expect(try await call(.POST, "\(base)/ai/v1/chat/completions", json: Self.chat("fast"), token: "admin").status == 200)
                let own = try await call(.GET, "\(base)/ai/v1/usage", token: "user")
                #expect(own.json["usage"]?.arrayValue?.map { $0["caller"] } == ["bob"])
                let other = try await call(.GET, "\(base)/ai/v1/usage?caller=alice", token: "user")
                #expect(other.status == 403)
                let all = try await call(.GET, "\(base)/ai/v1/usage", token: "admin")
                #expect(all.json["usage"]?.arrayValue?.map { $0["caller"] } == ["alice", "bob"])
            }
        }
    }
}
