import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ReactorAI
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorServer
#if AI
import ReactorAIProviders
#endif

/// `reactor-bench ai`: the AI gateway's added latency (issue 16). A fake OpenAI-compatible upstream answers at once
/// in this process; the same requests go to it directly and through the gateway (the whole server on loopback, an
/// alias with one target): latency percentiles of whole answers, time to the first streamed chunk, and requests per
/// second through the gateway at `connections` connections.
struct AIBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ai", abstract: "The AI gateway's added latency over a fake upstream.")

    @Option(name: .long, help: "Requests, one at a time, per measurement.") var requests: Int = 2_000
    @Option(name: .long, help: "Connections at once for the throughput run.") var connections: Int = 32
    @Option(name: .long, help: "Seconds of the throughput run.") var seconds: Double = 5
    @Option(name: .long, help: "Chunks of each streamed answer.") var chunks: Int = 16

    func run() async throws {
        #if AI
        var http = HTTPClient.Configuration()
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(connections, 8)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        do {
            try await measure(client: client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        #else
        throw ValidationError("this binary was built without the AI trait")
        #endif
    }

    #if AI
    func measure(client: HTTPClient) async throws {
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let chunkCount = chunks
        let router = Router()
        let answer = ByteBuffer(bytes: ChatCompletion(model: "m", text: "a short answer", usage: TokenUsage(promptTokens: 9, completionTokens: 4)).json.canonicalData)
        router.post("v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard String(buffer: body).contains("\"stream\":true") else {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: answer))
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for n in 0..<chunkCount {
                    try await writer.write(ByteBuffer(string: "data: " + ChatChunk(model: "m", text: "t\(n) ").json.canonicalString + "\n\n"))
                }
                try await writer.write(ByteBuffer(string: "data: " + ChatChunk(model: "m", text: nil, finishReason: "stop",
                                                                               usage: TokenUsage(promptTokens: 9, completionTokens: chunkCount)).json.canonicalString + "\n\n"))
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            })
        }
        let (upstreamPorts, upstreamPort) = AsyncStream<Int>.makeStream()
        let upstream = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                   onServerRunning: { upstreamPort.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let reactor = try await ReactorBuilder().build()
        let (gatewayPorts, gatewayPort) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await upstream.run() }
            var upstreamIterator = upstreamPorts.makeAsyncIterator()
            guard let upPort = await upstreamIterator.next() else { return }
            let upBase = "http://127.0.0.1:\(upPort)"
            let provider = OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(name: "up", baseURL: upBase + "/v1"))
            let gateway = try AIGateway(providers: [provider], aliases: [AIAlias(name: "fast", targets: [AITarget(provider: "up", model: "m")])],
                                        meter: AIUsageMeter(store: InMemoryAIUsageStore()))
            let deps = ServerDependencies(reactor: reactor, ai: gateway)
            group.addTask {
                try await ServerRuntime.run(deps, host: "127.0.0.1", port: 0, backends: [gateway], logger: logger, handleSignals: false) {
                    gatewayPort.yield($0)
                }
            }
            var gatewayIterator = gatewayPorts.makeAsyncIterator()
            guard let gwPort = await gatewayIterator.next() else { return }
            let direct = upBase + "/v1/chat/completions"
            let through = "http://127.0.0.1:\(gwPort)/ai/v1/chat/completions"
            for stream in [false, true] {
                let kind = stream ? "streamed, time to first chunk" : "whole answer"
                let directSamples = try await Self.latencies(client, direct, model: "m", stream: stream, count: requests)
                let gatewaySamples = try await Self.latencies(client, through, model: "fast", stream: stream, count: requests)
                let d50 = Self.percentile(directSamples, 0.5), d99 = Self.percentile(directSamples, 0.99)
                let g50 = Self.percentile(gatewaySamples, 0.5), g99 = Self.percentile(gatewaySamples, 0.99)
                print(kind + String(format: ": direct p50 %.3f ms p99 %.3f ms; gateway p50 %.3f ms p99 %.3f ms; added p50 %.3f ms p99 %.3f ms (%d requests)",
                                  d50, d99, g50, g99, g50 - d50, g99 - d99, requests))
            }
            for (name, url, model) in [("direct", direct, "m"), ("gateway", through, "fast")] {
                let total = try await Self.throughput(client, url, model: model, connections: connections, seconds: seconds)
                print(name + String(format: ", %d connections: %.0f requests/s (whole answers, %.0f s)", connections, Double(total) / seconds, seconds))
            }
            group.cancelAll()
        }
    }
    #endif

    static func request(_ url: String, model: String, stream: Bool) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        let body: JSONValue = ["model": .string(model), "stream": .bool(stream), "messages": [["role": "user", "content": "Say something short."]]]
        request.body = .bytes(ByteBuffer(bytes: body.canonicalData))
        return request
    }

    /// Milliseconds to the whole answer (or, streamed, to the first body bytes), one request at a time, after a warm-up.
    static func latencies(_ client: HTTPClient, _ url: String, model: String, stream: Bool, count: Int) async throws -> [Double] {
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for n in 0..<(count + 200) {
            let start = ContinuousClock.now
            let response = try await client.execute(request(url, model: model, stream: stream), timeout: .seconds(30))
            guard response.status == .ok else { throw ValidationError("\(url) answered \(response.status)") }
            var elapsed: Duration?
            for try await _ in response.body where elapsed == nil && stream { elapsed = start.duration(to: .now) }
            let total = elapsed ?? start.duration(to: .now)
            if n >= 200 { samples.append(Double(total.components.seconds) * 1000 + Double(total.components.attoseconds) / 1e15) }
        }
        return samples.sorted()
    }

    /// Whole answers completed in `seconds` by `connections` tasks.
    static func throughput(_ client: HTTPClient, _ url: String, model: String, connections: Int, seconds: Double) async throws -> Int {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < deadline {
                        let response = try await client.execute(request(url, model: model, stream: false), timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
