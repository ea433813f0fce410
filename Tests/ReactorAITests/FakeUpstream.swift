import Foundation
import Hummingbird
import Logging
import NIOCore
import ReactorCore
import ReactorTesting
import Synchronization

/// A scripted OpenAI-compatible upstream on loopback, started by the tests (Hummingbird on port 0). What it does is
/// chosen by the request's `model`:
///
/// - `echo` (and any unknown name): answers "echo: <last message>"; streamed as three chunks (and a usage chunk when
///   `stream_options.include_usage` is set), then `[DONE]`;
/// - `slow`: streams `slowChunks` chunks `chunkDelay` apart (for relaying as they arrive and for disconnects);
/// - `fail`: 500; `unauthorized`: 401; `reject`: 400 with an OpenAI error message; `busy`: 429;
/// - `hang`: never answers; `stall`: sends the stream's head and one chunk, then nothing;
/// - `malformed`: 200 with a body that is not JSON; `malformed-stream`: a chunk that is not JSON;
/// - `cut`: two chunks, then the body ends without `[DONE]`.
///
/// It records every request (path, headers, body) and counts streams that ended because the client went away.
final class FakeUpstream: Sendable {
    struct Seen: Sendable {
        var path: String
        var query: String
        var headers: [String: String]
        var body: JSONValue
    }

    let chunkDelay: Duration
    let slowChunks: Int
    private let state = Mutex<(seen: [Seen], sent: Int, cancelled: Int, finished: Int)>(([], 0, 0, 0))

    init(chunkDelay: Duration = .milliseconds(50), slowChunks: Int = 40) {
        self.chunkDelay = chunkDelay
        self.slowChunks = slowChunks
    }

    /// Every request received.
    var seen: [Seen] { state.withLock { $0.seen } }
    /// Chunks written by `slow` streams so far.
    var sentChunks: Int { state.withLock { $0.sent } }
    /// Streams whose client went away before the end.
    var cancelledStreams: Int { state.withLock { $0.cancelled } }
    /// Streams written to their end.
    var finishedStreams: Int { state.withLock { $0.finished } }
    /// Requests whose model was `model`.
    func requests(model: String) -> [Seen] { seen.filter { $0.body["model"]?.stringValue == model } }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("v1/chat/completions") { request, context in try await self.chat(request, context: context) }
        router.post("openai/deployments/{deployment}/chat/completions") { request, context in try await self.chat(request, context: context) }
        router.post("v1/embeddings") { request, context in try await self.embeddings(request, context: context) }
        router.get("v1/models") { request, _ in
            self.record(request, body: .null)
            return Self.json(.ok, ["object": "list", "data": [["id": "echo", "object": "model", "owned_by": "fake"], ["id": "slow", "object": "model"]]])
        }
        return router
    }

    private func record(_ request: Request, body: JSONValue) {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let seen = Seen(path: request.uri.path, query: request.uri.query ?? "", headers: headers, body: body)
        state.withLock { $0.seen.append(seen) }
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.canonicalData)))
    }

    static func chunk(_ model: String, _ text: String?, finish: String? = nil, usage: TokenUsage? = nil) -> ByteBuffer {
        ByteBuffer(string: "data: " + ChatChunk(id: "chatcmpl-fake", model: model, text: text, finishReason: finish, usage: usage).json.canonicalString + "\n\n")
    }

    private func chat(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try JSONValueCoder.parse(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        record(request, body: body)
        let model = body["model"]?.stringValue ?? ""
        let stream = body["stream"]?.boolValue ?? false
        let includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
        let last = body["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        let usage = TokenUsage(promptTokens: 5, completionTokens: 3)
        switch model {
        case "fail": return Self.json(.internalServerError, ["error": ["message": "upstream exploded at http://10.0.0.1/secret", "type": "server_error"]])
        case "unauthorized": return Self.json(.unauthorized, ["error": ["message": "bad key"]])
        case "busy": return Self.json(.tooManyRequests, ["error": ["message": "slow down"]])
        case "reject": return Self.json(.badRequest, ["error": ["message": "This model's maximum context length is 8 tokens", "type": "invalid_request_error"]])
        case "hang":
            try await Task.sleep(for: .seconds(3600))
            return Self.json(.ok, [:])
        case "malformed":
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"choices\": [oops")))
        default: break
        }
        guard stream else {
            return Self.json(.ok, ChatCompletion(id: "chatcmpl-fake", model: model, text: "echo: " + last, usage: usage).json)
        }
        let delay = chunkDelay, count = slowChunks
        let responseBody = ResponseBody { writer in
            do {
                switch model {
                case "slow":
                    for n in 0..<count {
                        try await writer.write(Self.chunk(model, "w\(n) "))
                        self.state.withLock { $0.sent += 1 }
                        try await Task.sleep(for: delay)
                    }
                    try await writer.write(Self.chunk(model, nil, finish: "stop", usage: includeUsage ? TokenUsage(promptTokens: 5, completionTokens: count) : nil))
                case "stall":
                    try await writer.write(Self.chunk(model, "first"))
                    try await Task.sleep(for: .seconds(3600))
                case "malformed-stream":
                    try await writer.write(ByteBuffer(string: "data: {\"choices\": [broken\n\n"))
                case "cut":
                    try await writer.write(Self.chunk(model, "one"))
                    try await writer.write(Self.chunk(model, " two"))
                    try await writer.finish(nil)
                    return
                default:
                    // Comments and an event split across writes, as real servers send them.
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    for piece in ["echo:", " ", last] { try await writer.write(Self.chunk(model, piece)) }
                    let split = Self.chunk(model, nil, finish: "stop")
                    try await writer.write(ByteBuffer(buffer: split.getSlice(at: 0, length: 10)!))
                    try await writer.write(ByteBuffer(buffer: split.getSlice(at: 10, length: split.readableBytes - 10)!))
                    if includeUsage {
                        try await writer.write(ByteBuffer(string: "data: " + JSONValue.object([
                            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": .string(model), "choices": [],
                            "usage": usage.json,
                        ]).canonicalString + "\r\n\r\n"))
                    }
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
                self.state.withLock { $0.finished += 1 }
            } catch {
                self.state.withLock { $0.cancelled += 1 }
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: responseBody)
    }

    private func embeddings(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try JSONValueCoder.parse(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        record(request, body: body)
        if body["model"]?.stringValue == "fail" { return Self.json(.badGateway, ["error": ["message": "down"]]) }
        let inputs = body["input"]?.arrayValue ?? [body["input"] ?? .null]
        return Self.json(.ok, [
            "object": "list", "model": body["model"] ?? .null,
            "data": .array(inputs.enumerated().map { ["object": "embedding", "index": .number(Double($0.offset)), "embedding": [0.5, -0.25, 0.125]] }),
            "usage": ["prompt_tokens": .number(Double(2 * inputs.count)), "total_tokens": .number(Double(2 * inputs.count))],
        ])
    }
}

/// Runs a real Hummingbird server with `router` on 127.0.0.1 (a port chosen by the OS) while `body` runs, then stops it.
func withUpstream<Result: Sendable>(
    _ upstream: FakeUpstream, _ body: (_ baseURL: String) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: upstream.router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        },
        logger: .init(label: "fake-upstream", factory: { _ in SwiftLogNoOpLogHandler() }))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            group.cancelAll()
            throw ConformanceFailure("the fake upstream did not start")
        }
        defer { group.cancelAll() }
        return try await body("http://127.0.0.1:\(port)")
    }
}
