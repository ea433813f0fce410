import Hummingbird
import HummingbirdWebSocket
import NIOCore
import ReactorCore
import ReactorEngine
import ServiceLifecycle

/// Live subscriptions: a client names a document search (`type`, `parentId`, `ids`, `slugs`) and receives each change
/// to a matching document as it becomes `READ_READY`.
///
/// - Server-Sent Events: `GET /reactor/v1/subscriptions/events`. The first event is `ready` (the subscription is
///   live); then one `change` event per change, with the change as JSON; a comment line every heartbeat interval.
/// - WebSocket: `GET /reactor/v1/subscriptions/ws`. Text messages `{"type":"ready"}`, then
///   `{"type":"change","change":{…}}` per change and `{"type":"heartbeat"}` when idle.
///
/// Both end when the client goes away or the server shuts down gracefully. The WebSocket upgrade goes through the same
/// Host, Origin and token checks as every route (see ``ReactorHTTPServer/webSocketRouter(_:bindHost:refusals:)``),
/// and a refused upgrade gets the same status and JSON error body as any route.
struct SubscriptionRoutes: Sendable {
    let deps: ServerDependencies

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.get("subscriptions/events", use: events)
        // A plain GET (not an upgrade) goes through the same checks as every route, then is told to upgrade (426).
        group.get("subscriptions/ws") { request, _ -> Response in
            _ = try DocumentRoutes.documentQuery(QueryParameters(request))
            throw ReactorError(.upgradeRequired, "this is a WebSocket endpoint: send an upgrade request (Connection: Upgrade, Upgrade: websocket)")
        }
    }

    func registerWebSocket(on router: Router<ReactorRequestContext>) {
        router.ws("/reactor/v1/subscriptions/ws") { request, _ in
            _ = try DocumentRoutes.documentQuery(QueryParameters(request))
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let query = try DocumentRoutes.documentQuery(QueryParameters(context.request))
            try await webSocket(query: query, inbound: inbound, outbound: outbound)
        }
    }

    /// One item the stream writer sends.
    enum Message: Sendable {
        case change(DocumentChange)
        case heartbeat
    }

    @Sendable func events(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = try DocumentRoutes.documentQuery(QueryParameters(request))
        let messages = messages(for: query)
        let body = ResponseBody { writer in
            try await writer.write(Self.sse(event: "ready", data: "{}"))
            // A graceful shutdown ends the stream (and so the response) instead of waiting for the client.
            try await withGracefulShutdownHandler {
                for await message in messages.stream {
                    switch message {
                    case .change(let change):
                        let json = try Representations.change(change).canonicalString
                        let id = change.operations.last.map { String($0.ordinal) }
                        try await writer.write(Self.sse(event: "change", data: json, id: id))
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
            } onGracefulShutdown: {
                messages.stop()
            }
            messages.stop()
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    func webSocket(query: DocumentQuery, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let messages = messages(for: query)
        defer { messages.stop() }
        try await outbound.write(.text(#"{"type":"ready"}"#))
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Ends when the client closes the connection.
                group.addTask {
                    for try await _ in inbound.messages(maxSize: 1 << 16) {}
                }
                group.addTask {
                    for await message in messages.stream {
                        switch message {
                        case .change(let change):
                            let json = JSONValue.object(["type": "change", "change": try Representations.change(change)])
                            try await outbound.write(.text(json.canonicalString))
                        case .heartbeat:
                            try await outbound.write(.text(#"{"type":"heartbeat"}"#))
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            messages.stop()
        }
    }

    /// A stream of changes for `query` merged with heartbeats. `stop()` ends it and releases the subscription.
    func messages(for query: DocumentQuery) -> MessageStream {
        let (stream, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let subscriptions = deps.reactor.subscriptions
        let token = subscriptions.subscribe(query) { change in continuation.yield(.change(change)) }
        let heartbeat = HeartbeatTimer(interval: deps.options.heartbeatInterval) { continuation.yield(.heartbeat) }
        continuation.onTermination = { _ in
            subscriptions.unsubscribe(token)
            heartbeat.stop()
        }
        return MessageStream(stream: stream, stop: { continuation.finish() })
    }

    struct MessageStream: Sendable {
        let stream: AsyncStream<Message>
        let stop: @Sendable () -> Void
    }

    static func sse(event: String, data: String, id: String? = nil) -> ByteBuffer {
        var text = "event: \(event)\n"
        if let id { text += "id: \(id)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        text += "\n"
        return ByteBuffer(string: text)
    }
}
