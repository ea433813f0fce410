import Hummingbird
import HummingbirdWebSocket
import NIOCore
import ReactorCore
import ReactorEngine
import ServiceLifecycle

/// Live subscriptions: a client names a document search (`type`, `parentId`, `ids`, `slugs`) and receives each change
/// to a matching document as it becomes `READ_READY`, in global ordinal order (see ``SubscriptionManager``).
///
/// - Server-Sent Events: `GET /reactor/v1/subscriptions/events`. The first event is `ready` (the subscription is
///   live; its `id` is the stream's start position); then one `change` event per change, with the change as JSON and
///   `id:` = the change's resume position; a comment line every heartbeat interval. A subscriber that falls
///   `server.subscription_buffer` changes behind gets `event: overflow` (data `{"resumeAfter": "<position>"}`) and
///   the stream ends; a stream opened with a token that has an `exp` ends at that moment with `event: token-expired`
///   (same data). `Last-Event-ID` (or `?lastEventId=` / `?after=`) resumes: every matching change after that position
///   is replayed from the store, then the stream continues live, with no gap and no duplicate.
/// - WebSocket: `GET /reactor/v1/subscriptions/ws`. Text messages `{"type":"ready","position":"…"}`, then
///   `{"type":"change","position":"…","change":{…}}` per change and `{"type":"heartbeat"}` when idle; resumes with
///   `?after=`; ends with `{"type":"overflow","resumeAfter":"…"}` and close code 1013 (try again later), or
///   `{"type":"token-expired","resumeAfter":"…"}` and close code 1008 (policy violation).
///
/// Both end when the client goes away or the server shuts down gracefully. An unknown or malformed resume position is
/// 400 `INVALID_RESUME_POSITION`. The WebSocket upgrade goes through the same Host, Origin and token checks as every
/// route (see ``ReactorHTTPServer/webSocketRouter(_:bindHost:refusals:)``), and a refused upgrade gets the same status
/// and JSON error body as any route.
struct SubscriptionRoutes: Sendable {
    let deps: ServerDependencies

    /// The paths of the subscription routes: the only ones that accept the token as `?access_token=`.
    static let paths: Set<String> = ["/reactor/v1/subscriptions/events", "/reactor/v1/subscriptions/ws"]

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.get("subscriptions/events", use: events)
        // A plain GET (not an upgrade) goes through the same checks as every route, then is told to upgrade (426).
        group.get("subscriptions/ws") { request, _ -> Response in
            _ = try DocumentRoutes.documentQuery(QueryParameters(request))
            _ = try SubscriptionStream.resumePosition(request)
            throw ReactorError(.upgradeRequired, "this is a WebSocket endpoint: send an upgrade request (Connection: Upgrade, Upgrade: websocket)")
        }
    }

    func registerWebSocket(on router: Router<ReactorRequestContext>) {
        router.ws("/reactor/v1/subscriptions/ws") { request, _ in
            _ = try DocumentRoutes.documentQuery(QueryParameters(request))
            // An unknown position is refused before the upgrade, with a status.
            if let after = try SubscriptionStream.resumePosition(request) {
                try await deps.reactor.subscriptions.checkResumePosition(after)
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let request = context.request
            let stream = try await openStream(
                DocumentRoutes.documentQuery(QueryParameters(request)), request: request, context: context.requestContext)
            try await webSocket(stream, inbound: inbound, outbound: outbound)
        }
    }

    private func openStream(_ query: DocumentQuery, request: Request, context: ReactorRequestContext) async throws -> SubscriptionStream {
        let documents = deps.documents(context)
        var visible: (@Sendable (String) async -> Bool)?
        if !documents.principal.isUnrestricted { visible = { id in await documents.canRead(id) } }
        let after = try SubscriptionStream.resumePosition(request)
        return try await SubscriptionStream(
            reactor: deps.reactor, query: query, after: after, bufferLimit: deps.options.subscriptionBuffer,
            heartbeat: deps.options.heartbeatInterval, expiresAt: context.claims?.expiresAt, visible: visible)
    }

    @Sendable func events(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let stream = try await openStream(DocumentRoutes.documentQuery(QueryParameters(request)), request: request, context: context)
        let body = ResponseBody { writer in
            try await writer.write(Self.sse(event: "ready", data: Self.positionJSON("position", stream.startPosition),
                                            id: String(stream.startPosition)))
            // A graceful shutdown ends the stream (and so the response) instead of waiting for the client.
            try await withGracefulShutdownHandler {
                while let output = try await stream.next() {
                    switch output {
                    case .change(let change):
                        try await writer.write(Self.sse(event: "change", data: try Self.json(change), id: String(change.position)))
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    case .overflow(let position):
                        try await writer.write(Self.sse(event: "overflow", data: Self.positionJSON("resumeAfter", position), id: String(position)))
                    case .tokenExpired(let position):
                        try await writer.write(Self.sse(event: "token-expired", data: Self.positionJSON("resumeAfter", position), id: String(position)))
                    }
                }
            } onGracefulShutdown: {
                stream.stop()
            }
            stream.stop()
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    func webSocket(_ stream: SubscriptionStream, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        defer { stream.stop() }
        try await outbound.write(.text(JSONValue.object(["type": "ready", "position": .string(String(stream.startPosition))]).canonicalString))
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Ends when the client closes the connection.
                group.addTask {
                    for try await _ in inbound.messages(maxSize: 1 << 16) {}
                }
                group.addTask {
                    while let output = try await stream.next() {
                        switch output {
                        case .change(let change):
                            // `{"change":…,"position":"…","type":"change"}`, canonical (keys in order), the change encoded once.
                            let text = #"{"change":"# + (try Self.json(change)) + #","position":""# + String(change.position) + #"","type":"change"}"#
                            try await outbound.write(.text(text))
                        case .heartbeat:
                            try await outbound.write(.text(#"{"type":"heartbeat"}"#))
                        case .overflow(let position):
                            let json = JSONValue.object(["type": "overflow", "resumeAfter": .string(String(position))])
                            try await outbound.write(.text(json.canonicalString))
                            try await outbound.close(.unknown(1013), reason: "subscriber fell behind; resume after \(position)")
                        case .tokenExpired(let position):
                            let json = JSONValue.object(["type": "token-expired", "resumeAfter": .string(String(position))])
                            try await outbound.write(.text(json.canonicalString))
                            try await outbound.close(.policyViolation, reason: "token expired")
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            stream.stop()
        }
    }

    /// The change as canonical JSON, encoded once for all the streams it goes to.
    static func json(_ change: DocumentChange) throws -> String {
        try change.encoded.value { try Representations.change(change).canonicalString }
    }

    /// `{"<key>": "<position>"}`.
    static func positionJSON(_ key: String, _ position: Int64) -> String {
        JSONValue.object([key: .string(String(position))]).canonicalString
    }

    static func sse(event: String, data: String, id: String? = nil) -> ByteBuffer {
        var text = "event: \(event)\n"
        if let id { text += "id: \(id)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        text += "\n"
        return ByteBuffer(string: text)
    }
}
