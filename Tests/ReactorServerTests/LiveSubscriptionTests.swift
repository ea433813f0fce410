import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorServer
import ReactorTesting
import Synchronization
import Testing

/// The whole server (reactor + HTTP application in one ServiceGroup) on a free port of `host`, driven over real HTTP.
func withLiveServer(
    host: String = "127.0.0.1", auth: (any AuthClient)? = nil, vault: (any Vault)? = nil, admin: AdminHooks = AdminHooks(),
    requestGuard: RequestGuardConfiguration = RequestGuardConfiguration(), connections: ConnectionLimits = ConnectionLimits(),
    _ body: @Sendable (Int) async throws -> Void
) async throws {
    let reactor = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).build()
    let deps = ServerDependencies(reactor: reactor, auth: auth, vault: vault, admin: admin,
                                  options: ServerOptions(heartbeatInterval: .milliseconds(200)), requestGuard: requestGuard,
                                  connections: connections)
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await ServerRuntime.run(deps, host: host, port: 0, logger: Logger(label: "test"), handleSignals: false) { port in
                portContinuation.yield(port)
            }
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(port)
        group.cancelAll()
    }
}

/// The `change` events of an SSE text whose blank-line terminator has arrived (a chunk may end mid-event).
func completeChangeEvents(_ text: String) -> [String] {
    var blocks = text.components(separatedBy: "\n\n")
    blocks.removeLast()
    return blocks.filter { $0.contains("event: change") }
}

/// POSTs JSON and returns the parsed reply body.
@discardableResult
func post(_ url: String, _ json: JSONValue) async throws -> JSONValue {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "content-type", value: "application/json")
    request.body = .bytes(ByteBuffer(string: json.canonicalString))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 20)
    return try JSONValueCoder.parse(String(buffer: body))
}

@Suite("Live subscriptions over SSE and WebSocket", .timeLimit(.minutes(3)))
struct LiveSubscriptionTests {
    @Test func serverSentEventsDeliverChanges() async throws {
        try await withLiveServer { port in
            let base = "http://127.0.0.1:\(port)"
            let request = HTTPClientRequest(url: "\(base)/reactor/v1/subscriptions/events?type=reactor/todo-list")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            var text = ""
            var sawHeartbeat = false
            var wrote = false
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.contains(": heartbeat") { sawHeartbeat = true }
                if !wrote, text.contains("event: ready") {
                    wrote = true
                    try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "sse-doc"])
                    try await post("\(base)/reactor/v1/documents/sse-doc/actions?wait=true", ["actions": [todoAction("1", text: "hello")]])
                    // A document of another type must not be delivered.
                    try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/drive", "id": "other"])
                }
                if completeChangeEvents(text).count >= 2, sawHeartbeat { break }
            }
            let events = completeChangeEvents(text)
            #expect(events.count == 2)
            func data(_ event: String) throws -> JSONValue {
                try JSONValueCoder.parse(String(event.split(separator: "\n").first { $0.hasPrefix("data: ") }!.dropFirst(6)))
            }
            let first = try data(events[0])
            #expect(first["kind"]?.stringValue == "created")
            #expect(first["documentId"]?.stringValue == "sse-doc")
            let second = try data(events[1])
            #expect(second["document"]?["state"]?["global"]?["items"]?.arrayValue?.first?["text"]?.stringValue == "hello")
            #expect(!text.contains("\"other\""))
        }
    }

    @Test func anOpenStreamCountsAsInFlightUntilItEnds() async throws {
        try await withLiveServer { port in
            let base = "http://127.0.0.1:\(port)"
            func metricsText() async throws -> String {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(base)/metrics"), timeout: .seconds(30))
                return String(buffer: try await response.body.collect(upTo: 1 << 20))
            }
            func inFlight(_ text: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix("reactor_http_requests_in_flight ") }
                    .flatMap { Double($0.split(separator: " ")[1]) }
            }
            let streamRoute = #"route="/reactor/v1/subscriptions/events""#
            let request = HTTPClientRequest(url: "\(base)/reactor/v1/subscriptions/events?type=reactor/todo-list")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                guard text.contains("event: ready") else { continue }
                // The stream is being served: it and this /metrics request are in flight, and the stream is not yet
                // counted as a finished request.
                let during = try await metricsText()
                #expect(inFlight(during) == 2, "\(during)")
                #expect(!during.contains(streamRoute), "\(during)")
                break
            }
            // The client hung up: the stream's request ends, is counted once, and leaves the in-flight gauge.
            try await eventually("the closed stream is recorded and leaves the in-flight gauge") {
                let after = try await metricsText()
                return inFlight(after) == 1 && after.contains(streamRoute)
            }
        }
    }

    @Test func webSocketDeliversChanges() async throws {
        try await withLiveServer { port in
            let base = "http://127.0.0.1:\(port)"
            let received = Mutex<[JSONValue]>([])
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/reactor/v1/subscriptions/ws?ids=ws-doc", logger: Logger(label: "ws")) {
                inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    let json = try JSONValueCoder.parse(text)
                    switch json["type"]?.stringValue {
                    case "ready":
                        try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "ws-doc"])
                        try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "not-watched"])
                        try await post("\(base)/reactor/v1/documents/ws-doc/actions?wait=true", ["actions": [todoAction("1", text: "ws")]])
                    case "change":
                        let count = received.withLock { $0.append(json["change"] ?? .null); return $0.count }
                        if count == 2 { try await outbound.close(.normalClosure, reason: nil); return }
                    default: break
                    }
                }
            }
            let changes = received.withLock { $0 }
            #expect(changes.count == 2)
            #expect(changes.allSatisfy { $0["documentId"]?.stringValue == "ws-doc" })
            #expect(changes.last?["kind"]?.stringValue == "updated")
        }
    }
}
