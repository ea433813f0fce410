import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import ReactorAuth
import ReactorCore
import ReactorServer
import ReactorTesting
import Synchronization
import Testing

extension SSEEvent {
    var json: JSONValue { (try? JSONValueCoder.parse(data)) ?? .null }
    /// The global-scope operation indices of a `change` event.
    var globalIndices: [Int] {
        (json["operations"]?.arrayValue ?? []).filter { $0["stream"]?["scope"]?.stringValue == "global" }
            .compactMap { $0["operation"]?["index"]?.intValue }
    }
}

/// Reads the events of an SSE response one by one.
struct SSEReader {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var parser = SSEParser()
    private var ready: [SSEEvent] = []

    init(_ response: HTTPClientResponse) {
        iterator = response.body.makeAsyncIterator()
    }

    /// Opens `url` (with `headers`) and returns the response's reader; the status must be 200.
    static func open(_ url: String, headers: [String: String] = [:]) async throws -> SSEReader {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        return SSEReader(response)
    }

    /// The next event, nil when the stream ended.
    mutating func next() async throws -> SSEEvent? {
        while ready.isEmpty {
            guard let chunk = try await iterator.next() else { return nil }
            ready = parser.feed(String(buffer: chunk))
        }
        return ready.removeFirst()
    }

    /// Reads `change` events until they hold `count` global-scope operations (or the stream ends).
    mutating func changes(holding count: Int) async throws -> [SSEEvent] {
        var changes: [SSEEvent] = []
        while changes.flatMap(\.globalIndices).count < count, let event = try await next() {
            if event.event == "change" { changes.append(event) }
        }
        return changes
    }

    /// Reads events until one named `name` (returned) or the end (nil), collecting the `change` events.
    mutating func read(until name: String, changes: inout [SSEEvent]) async throws -> SSEEvent? {
        while let event = try await next() {
            if event.event == "change" { changes.append(event) }
            if event.event == name { return event }
        }
        return nil
    }
}

@Suite("Subscriptions: resume, access token, expiry", .timeLimit(.minutes(3)))
struct SubscriptionResumeTests {
    static func act(_ base: String, _ document: String, _ n: Int) async throws {
        try await post("\(base)/reactor/v1/documents/\(document)/actions?wait=true", ["actions": [todoAction("\(n)", text: "item \(n)")]])
    }

    @Test func serverSentEventsResumeFromLastEventIDWithNoGapAndNoDuplicate() async throws {
        try await withLiveServer { port in
            let base = "http://127.0.0.1:\(port)"
            try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "resumed"])
            let seen: [SSEEvent]
            do {
                var first = try await SSEReader.open("\(base)/reactor/v1/subscriptions/events?ids=resumed")
                let ready = try #require(try await first.next())
                #expect(ready.event == "ready")
                #expect(ready.id != nil)
                for n in 0..<3 { try await Self.act(base, "resumed", n) }
                seen = try await first.changes(holding: 2)
            }
            let lastEventID = try #require(seen.last?.id)
            // The client went away after two of three changes; two more land meanwhile.
            for n in 3..<5 { try await Self.act(base, "resumed", n) }
            // The header, as EventSource sends it when it reconnects; the URL's `after` loses to it.
            var resumed = try await SSEReader.open("\(base)/reactor/v1/subscriptions/events?ids=resumed&after=0",
                                                   headers: ["Last-Event-ID": lastEventID])
            #expect(try await resumed.next()?.id == lastEventID)
            var more = try await resumed.changes(holding: 3)
            try await Self.act(base, "resumed", 5)
            more += try await resumed.changes(holding: 1)
            #expect((seen + more).flatMap(\.globalIndices) == Array(0..<6))
            // Ids only grow: each is where to resume.
            let ids = (seen + more).compactMap { $0.id.flatMap { Int64($0) } }
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            // `?lastEventId=` does the same for a client that cannot set headers.
            var byQuery = try await SSEReader.open("\(base)/reactor/v1/subscriptions/events?ids=resumed&lastEventId=\(lastEventID)")
            let replayed = try await byQuery.changes(holding: 4)
            #expect(replayed.flatMap(\.globalIndices) == [2, 3, 4, 5])
        }
    }

    /// The global-scope operation indices of WebSocket `change` messages.
    static func globalIndices(_ messages: [JSONValue]) -> [Int] {
        messages.flatMap { message in
            (message["change"]?["operations"]?.arrayValue ?? []).filter { $0["stream"]?["scope"]?.stringValue == "global" }
                .compactMap { $0["operation"]?["index"]?.intValue }
        }
    }

    @Test func webSocketResumesFromTheAfterParameter() async throws {
        try await withLiveServer { port in
            let base = "http://127.0.0.1:\(port)"
            try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "ws-resumed"])
            for n in 0..<2 { try await Self.act(base, "ws-resumed", n) }
            // Where a stream opened now starts (the `ready` event's id).
            var probe = try await SSEReader.open("\(base)/reactor/v1/subscriptions/events?ids=ws-resumed")
            let position = try #require(try await probe.next()?.id)
            for n in 2..<5 { try await Self.act(base, "ws-resumed", n) }
            let received = Mutex<[JSONValue]>([])
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/reactor/v1/subscriptions/ws?ids=ws-resumed&after=\(position)", logger: Logger(label: "ws")
            ) { inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    let json = try JSONValueCoder.parse(text)
                    if json["type"]?.stringValue == "ready" { #expect(json["position"]?.stringValue == position) }
                    guard json["type"]?.stringValue == "change" else { continue }
                    // The replay may bring consecutive operations as one change: count operations.
                    let count = received.withLock { $0.append(json); return Self.globalIndices($0).count }
                    if count == 3 { try await Self.act(base, "ws-resumed", 5) }
                    if count >= 4 { try await outbound.close(.normalClosure, reason: nil); return }
                }
            }
            #expect(Self.globalIndices(received.withLock { $0 }) == [2, 3, 4, 5])
            #expect(received.withLock { $0 }.allSatisfy { $0["position"]?.stringValue != nil })
        }
    }

    @Test func malformedAndUnknownResumePositionsAre400() async throws {
        try await withTestServer { client, _, _ in
            let cases: [(String, HTTPFields)] = [
                ("/reactor/v1/subscriptions/events?after=-1", [:]),
                ("/reactor/v1/subscriptions/events?after=12x", [:]),
                ("/reactor/v1/subscriptions/events?lastEventId=99999999999999999999", [:]),
                ("/reactor/v1/subscriptions/events?after=5", [:]),  // beyond the newest operation of an empty store
                ("/reactor/v1/subscriptions/events", [HTTPField.Name("Last-Event-ID")!: "abc"]),
                ("/reactor/v1/subscriptions/ws?after=x", [:]),
            ]
            for (uri, headers) in cases {
                let reply = try await client.call(.get, uri, headers: headers)
                #expect(reply.status == .badRequest, "\(uri)")
                #expect(reply.errorCode == "INVALID_RESUME_POSITION", "\(uri): \(reply.text)")
            }
        }
    }

    @Test func theAccessTokenParameterIsAcceptedOnlyOnTheSubscriptionRoutes() async throws {
        try await withTestServer(auth: StaticAuthClient()) { client, _, _ in
            // Paths that contain "/subscriptions/" but are not a subscription route: the parameter is no token there.
            for uri in ["/_admin/vault/subscriptions/key?access_token=admin", "/_admin/vault/x/subscriptions/?access_token=admin",
                        "/reactor/v1/documents/subscriptions/operations?access_token=user"] {
                let reply = try await client.call(.get, uri)
                #expect(reply.status == .unauthorized, "\(uri): \(reply.text)")
                #expect(reply.errorCode == "UNAUTHENTICATED", "\(uri)")
            }
            // On the WebSocket route it is the token (a plain GET is then told to upgrade).
            #expect(try await client.call(.get, "/reactor/v1/subscriptions/ws?access_token=user").status == .upgradeRequired)
            #expect(try await client.call(.get, "/reactor/v1/subscriptions/ws?access_token=nope").status == .unauthorized)
        }
    }

    /// A server whose tokens are HS256 JWTs, and a token issued once it runs that expires within three seconds.
    static func withShortLivedToken(_ body: @Sendable (Int, String, Date) async throws -> Void) async throws {
        let secret = String(repeating: "s", count: 40)
        let auth = try await JWTAuthClient(configuration: JWTAuthConfiguration(hmacSecrets: [secret]))
        try await withLiveServer(auth: auth) { port in
            let issuedAt = Date()
            let token = try await TokenIssuer(hmacSecret: secret).issue(subject: "alice", ttl: 3, issuedAt: issuedAt)
            // `exp` is whole seconds: iat (rounded down) + 3.
            let expiresAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.towardZero) + 3)
            try await body(port, token, expiresAt)
        }
    }

    /// How late a stream may end after its token's expiry on a loaded machine (it ends at the expiry, give or take a
    /// timer's wake-up); it must never end before.
    static let expiryTolerance: TimeInterval = 30

    @Test func aServerSentEventStreamEndsWhenItsTokenExpires() async throws {
        try await Self.withShortLivedToken { port, token, expiresAt in
            let (expired, ended) = try await within(.seconds(45), "the stream's end at the token's expiry") {
                var reader = try await SSEReader.open("http://127.0.0.1:\(port)/reactor/v1/subscriptions/events?access_token=\(token)")
                #expect(try await reader.next()?.event == "ready")
                var changes: [SSEEvent] = []
                let expired = try await reader.read(until: "token-expired", changes: &changes)
                // Then the stream ends.
                return (expired, try await reader.next() == nil)
            }
            let late = Date().timeIntervalSince(expiresAt)
            #expect(expired?.json["resumeAfter"]?.stringValue != nil)
            #expect(ended)
            #expect(late >= 0 && late < Self.expiryTolerance, "ended \(late) s after the expiry")
        }
    }

    @Test func aWebSocketClosesWithPolicyViolationWhenItsTokenExpires() async throws {
        try await Self.withShortLivedToken { port, token, expiresAt in
            let messages = Mutex<[String]>([])
            let close = try await within(.seconds(45), "the WebSocket's close at the token's expiry") {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/reactor/v1/subscriptions/ws?access_token=\(token)", logger: Logger(label: "ws")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { messages.withLock { $0.append(text) } }
                    }
                }
            }
            let late = Date().timeIntervalSince(expiresAt)
            let types = messages.withLock { $0 }.compactMap { try? JSONValueCoder.parse($0)["type"]?.stringValue }
            #expect(types.first == "ready")
            #expect(types.last == "token-expired")
            #expect(close?.closeCode == .policyViolation)
            #expect(late >= 0 && late < Self.expiryTolerance, "closed \(late) s after the expiry")
        }
    }
}
