import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore
import Synchronization

/// A ``ChatProvider`` for any OpenAI-compatible API over AsyncHTTPClient (issue 16, `docs/ai.md`): OpenAI, OpenRouter
/// (``OpenAICompatibleConfiguration/openRouter(name:apiKey:baseURL:referer:title:)``), Azure AI Foundry
/// (``OpenAICompatibleConfiguration/azureFoundry(name:endpoint:apiKey:apiVersion:)``), llama.cpp, vLLM, Ollama.
///
/// Streams are parsed from the upstream's server-sent events as the bytes arrive, one chunk at a time; nothing
/// reads ahead of the consumer. Cancelling the consuming task, or dropping the stream, cancels the upstream request.
///
/// Errors: a refused or dropped connection, a 5xx, a 408 or 429, an answer or chunk that is not OpenAI JSON, a stream
/// that ends without `[DONE]` are ``ReactorError/Code/aiUpstreamUnavailable``; the connect, request and stream-idle
/// timeouts ``ReactorError/Code/aiUpstreamTimeout``; any other 4xx ``ReactorError/Code/aiUpstreamRejected`` with the
/// upstream's message and `details.status`. The messages name neither the URL nor the key.
public struct OpenAICompatibleProvider: ChatProvider {
    public let configuration: OpenAICompatibleConfiguration
    private let client: HTTPClient

    public var name: String { configuration.name }

    /// A provider using `client`, or (nil) the client shared by every provider with the same connect and stream-idle
    /// timeouts (``sharedClient(connectTimeout:readTimeout:)``). The provider never shuts a client down.
    public init(configuration: OpenAICompatibleConfiguration, client: HTTPClient? = nil) {
        self.configuration = configuration
        self.client = client ?? Self.sharedClient(connectTimeout: configuration.connectTimeout, readTimeout: configuration.streamIdleTimeout)
    }

    public func shutdown() async throws {}

    private static let sharedClients = Mutex<[String: HTTPClient]>([:])

    /// A client with these timeouts (connect; read: the longest wait for bytes), shared by every provider with the
    /// same ones and never shut down, like `HTTPClient.shared`: providers live as long as the server's process. A
    /// refused connection fails at once (no retries until a deadline), so an alias falls through without waiting.
    public static func sharedClient(connectTimeout: Duration, readTimeout: Duration) -> HTTPClient {
        let key = "\(connectTimeout)/\(readTimeout)"
        return sharedClients.withLock { clients in
            if let client = clients[key] { return client }
            var http = HTTPClient.Configuration()
            http.connectionPool.retryConnectionEstablishment = false
            http.timeout = .init(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout))
            http.decompression = .disabled
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
            clients[key] = client
            return client
        }
    }

    // MARK: - Operations

    public func chatCompletion(_ request: ChatRequest) async throws -> ChatCompletion {
        var upstream = request
        upstream.set("stream", nil)
        upstream.set("stream_options", nil)
        let json = try await sendForJSON(.POST, .chat, model: request.model, body: upstream.json)
        return try naming { try ChatCompletion(json: json) }
    }

    public func embeddings(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse {
        let json = try await sendForJSON(.POST, .embeddings, model: request.model, body: request.json)
        return try naming { try EmbeddingsResponse(json: json) }
    }

    public func models() async throws -> [ProviderModel] {
        let json = try await sendForJSON(.GET, .models, model: "", body: nil)
        guard let data = json["data"]?.arrayValue else {
            throw failure(.aiUpstreamUnavailable, "the upstream's model list is not an OpenAI list", reason: "malformed")
        }
        return data.compactMap { item in item["id"]?.stringValue.map { ProviderModel(id: $0, ownedBy: item["owned_by"]?.stringValue) } }
    }

    public func streamChatCompletion(_ request: ChatRequest) async throws -> ChatChunkStream {
        var upstream = request
        upstream.stream = true
        let started = ContinuousClock.now
        let response = try await send(.POST, .chat, model: request.model, body: upstream.json, deadline: .distantFuture)
        if response.status.code >= 300 { throw try await statusError(response) }
        let provider = name
        let body = response.body
        return ChatChunkStream {
            var decoder = SSEDecoder(provider: provider, started: started, body: body.makeAsyncIterator())
            return { try await decoder.next() }
        }
    }

    // MARK: - Transport

    private func sendForJSON(_ method: HTTPMethod, _ operation: OpenAICompatibleConfiguration.Operation, model: String, body: JSONValue?) async throws -> JSONValue {
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        let response = try await send(method, operation, model: model, body: body, deadline: deadline)
        if response.status.code >= 300 { throw try await statusError(response) }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch {
            throw transportError(error)
        }
        do {
            return try JSONValueCoder.parse(bytes.readableBytesView)
        } catch {
            throw failure(.aiUpstreamUnavailable, "the upstream's answer is not JSON", reason: "malformed")
        }
    }

    private func send(
        _ method: HTTPMethod, _ operation: OpenAICompatibleConfiguration.Operation, model: String, body: JSONValue?, deadline: NIODeadline
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: configuration.url(operation, model: model))
        request.method = method
        request.headers.add(name: "accept", value: operation == .chat && body?["stream"]?.boolValue == true ? "text/event-stream" : "application/json")
        if let auth = configuration.authorization { request.headers.add(name: auth.name, value: auth.value) }
        for (name, value) in configuration.headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalData))
        }
        do {
            return try await client.execute(request, deadline: deadline)
        } catch {
            throw transportError(error)
        }
    }

    /// The error of a non-2xx answer.
    private func statusError(_ response: HTTPClientResponse) async throws -> ReactorError {
        let status = Int(response.status.code)
        let text = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
        let json = try? JSONValueCoder.parse(text)
        let upstreamMessage = json?["error"]?["message"]?.stringValue ?? json?["error"]?.stringValue ?? json?["message"]?.stringValue
        // The upstream's failure, its load, or the gateway's own credentials (401/403): not the caller's error.
        if status >= 500 || status == 408 || status == 429 || status == 401 || status == 403 || status < 400 {
            var error = failure(.aiUpstreamUnavailable, "the upstream answered \(status)", reason: status == 401 || status == 403 ? "upstream_auth" : "status")
            error.details["status"] = "\(status)"
            return error
        }
        let message = upstreamMessage.map { String($0.prefix(1000)) } ?? "the upstream refused the request (\(status))"
        return ReactorError(.aiUpstreamRejected, message, details: ["provider": name, "status": "\(status)"])
    }

    private func transportError(_ error: any Error) -> any Error {
        if let reactor = error as? ReactorError { return reactor }
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        switch error as? HTTPClientError {
        case .some(.connectTimeout): return failure(.aiUpstreamTimeout, "connecting to the upstream timed out", reason: "connect_timeout")
        case .some(.readTimeout): return failure(.aiUpstreamTimeout, "the upstream stopped sending (read timeout)", reason: "read_timeout")
        case .some(.deadlineExceeded): return failure(.aiUpstreamTimeout, "the upstream did not answer in time", reason: "deadline")
        case .some(.cancelled): return CancellationError()
        default:
            var failure = failure(.aiUpstreamUnavailable, "the upstream cannot be reached", reason: "unreachable")
            failure.details["underlying"] = "\(error)"
            return failure
        }
    }

    /// `body`'s result; its error names this provider.
    private func naming<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as ReactorError {
            error.details["provider"] = name
            throw error
        }
    }

    func failure(_ code: ReactorError.Code, _ message: String, reason: String) -> ReactorError {
        ReactorError(code, message, details: ["provider": name, "reason": reason], isTransient: true)
    }
}


/// Server-sent events of an OpenAI stream, decoded as the bytes arrive: each `data:` event is one chunk, `[DONE]`
/// ends the stream.
struct SSEDecoder {
    let provider: String
    let started: ContinuousClock.Instant
    var body: HTTPClientResponse.Body.AsyncIterator
    /// Bytes received and not yet split into lines.
    var buffer: [UInt8] = []
    var start = 0
    /// The `data:` lines of the event being read.
    var data: [UInt8] = []
    var hasData = false
    var done = false

    init(provider: String, started: ContinuousClock.Instant, body: HTTPClientResponse.Body.AsyncIterator) {
        self.provider = provider
        self.started = started
        self.body = body
    }

    mutating func next() async throws -> ChatChunk? {
        while !done {
            while let line = nextLine() {
                if line.isEmpty {
                    if let chunk = try dispatch() { return chunk }
                    if done { return nil }
                } else if line.starts(with: Self.dataPrefix) {
                    var value = line.dropFirst(Self.dataPrefix.count)
                    if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
                    if hasData { data.append(UInt8(ascii: "\n")) }
                    data.append(contentsOf: value)
                    hasData = true
                }
                // Comments (": keep-alive"), `event:`, `id:` and `retry:` lines carry nothing for a chat stream.
            }
            let received: ByteBuffer?
            do {
                received = try await body.next()
            } catch {
                throw streamError(error)
            }
            guard let received else {
                // The body ended: a last event without its blank line still counts; without [DONE] the stream was cut.
                if hasData, let chunk = try dispatch() { return chunk }
                if done { return nil }
                throw ReactorError(.aiUpstreamUnavailable, "the upstream's stream ended before [DONE]",
                                   details: ["provider": provider, "reason": "stream_cut"], isTransient: true)
            }
            if start > 0 && start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            buffer.append(contentsOf: received.readableBytesView)
        }
        return nil
    }

    static let dataPrefix: [UInt8] = Array("data:".utf8)

    /// The next whole line of the buffer (without its `\n` or `\r\n`), or nil when none is complete.
    mutating func nextLine() -> ArraySlice<UInt8>? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            return nil
        }
        var line = buffer[start..<newline]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        start = newline + 1
        return line
    }

    /// The chunk of the event read so far (nil for an event without data, or `[DONE]`).
    mutating func dispatch() throws -> ChatChunk? {
        guard hasData else { return nil }
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
        }
        if data.elementsEqual("[DONE]".utf8) {
            done = true
            return nil
        }
        let json: JSONValue
        do {
            json = try JSONValueCoder.parse(data)
        } catch {
            throw ReactorError(.aiUpstreamUnavailable, "a chunk of the upstream's stream is not JSON",
                               details: ["provider": provider, "reason": "malformed"], isTransient: true)
        }
        if let error = json["error"] {
            let message = error["message"]?.stringValue ?? "the upstream reported an error in its stream"
            throw ReactorError(.aiUpstreamUnavailable, "the upstream's stream failed: \(message.prefix(500))",
                               details: ["provider": provider, "reason": "stream_error"], isTransient: true)
        }
        guard json.objectValue != nil else {
            throw ReactorError(.aiUpstreamUnavailable, "a chunk of the upstream's stream is not an object",
                               details: ["provider": provider, "reason": "malformed"], isTransient: true)
        }
        return ChatChunk(json: json, elapsed: ContinuousClock.now - started)
    }

    func streamError(_ error: any Error) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        switch error as? HTTPClientError {
        case .some(.readTimeout), .some(.deadlineExceeded):
            return ReactorError(.aiUpstreamTimeout, "the upstream's stream stopped sending (read timeout)",
                                details: ["provider": provider, "reason": "read_timeout"], isTransient: true)
        case .some(.cancelled): return CancellationError()
        default:
            return ReactorError(.aiUpstreamUnavailable, "the upstream's stream broke off",
                                details: ["provider": provider, "reason": "stream_cut", "underlying": "\(error)"], isTransient: true)
        }
    }
}
