import AsyncHTTPClient
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import ReactorCore
@testable import ReactorServer
import ReactorTesting
import Synchronization
import Testing

/// The connection guard (`Sources/ReactorServer/Connections/`) on a live server: what it must let through (keep-alive,
/// pipelined requests, bodies that arrive in parts, long-lived streams) and how it reads a request line.
@Suite("Connection guard", .timeLimit(.minutes(3)))
struct ConnectionGuardTests {
    /// Timeouts far shorter than a stream lives (and long enough for a loaded machine to read a request head).
    static let short = ConnectionLimits(headerReadTimeout: .seconds(3), idleTimeout: .seconds(3))

    @Test func keepAlivePipelinedAndSplitRequestsPass() async throws {
        // 5 s to read a head: the first request's timer starts at the connection, and a test process loaded by the
        // other suites can take seconds to send it.
        try await withLiveServer(connections: ConnectionLimits(headerReadTimeout: .seconds(5), idleTimeout: .seconds(15))) { port in
            let connection = try await RawConnection.connect(port: port)
            try await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let first = try await connection.read(until: .response, within: .seconds(10))
            #expect(first.status == 200 && !first.closed)

            // A body sent in two parts, the second after the header-read timeout: the head was complete.
            let body = #"{"documentType":"reactor/todo-list","id":"split-body"}"#
            try await connection.send("POST /reactor/v1/documents?wait=true HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body.prefix(10))")
            try await Task.sleep(for: .seconds(5.5))  // the client's pace: past the header-read timeout, within the idle one
            try await connection.send(String(body.dropFirst(10)))

            // Two requests in one write, the second closing the connection.
            try await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let rest = try await connection.read(until: .closed, within: .seconds(5))
            let statuses = rest.text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["200", "201", "200", "200"], "\(rest.text)")
        }
    }

    @Test func streamsOutliveTheHeaderReadAndIdleTimeouts() async throws {
        try await withLiveServer(connections: Self.short) { port in
            let base = "http://127.0.0.1:\(port)"
            let request = HTTPClientRequest(url: "\(base)/reactor/v1/subscriptions/events?ids=late-sse")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.contains("event: ready"), !text.contains("late-sse") {
                    text += "late-sse"
                    // Longer than both timeouts: the stream must still be open.
                    try await Task.sleep(for: .seconds(4))
                    try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "late-sse"])
                }
                if !completeChangeEvents(text).isEmpty { break }
            }
            #expect(completeChangeEvents(text).count == 1)

            let received = Mutex(0)
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/reactor/v1/subscriptions/ws?ids=late-ws", logger: Logger(label: "ws")) {
                inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    switch try JSONValueCoder.parse(text)["type"]?.stringValue {
                    case "ready":
                        try await Task.sleep(for: .seconds(4))
                        try await post("\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "late-ws"])
                    case "change":
                        received.withLock { $0 += 1 }
                        try await outbound.close(.normalClosure, reason: nil)
                        return
                    default: break
                    }
                }
            }
            #expect(received.withLock { $0 } == 1)
        }
    }

    @Test func requestTargetMeterReadsOnlyTheTarget() {
        var meter = RequestTargetMeter()
        meter.read(ByteBuffer(string: "\r\nGET /abc"))
        #expect(meter.targetBytes == 4)
        meter.read(ByteBuffer(string: "def?x=1 HTTP/1.1\r\nHost: a-very-long-host-name\r\n"))
        #expect(meter.targetBytes == 11)
        meter.reset()
        meter.read(ByteBuffer(string: "GET /"))
        #expect(meter.targetBytes == 1)
    }

    @Test func parseErrorsGetTheirStatus() {
        let limits = ConnectionLimits()
        func status(_ error: HTTPParserError) -> Int {
            HTTPErrorMapping.status(for: HTTPExchangeObserver.answer(to: error, limits: limits)).code
        }
        #expect(status(.headerOverflow) == 431)
        #expect(status(.invalidMethod) == 400)
        #expect(status(.unexpectedContentLength) == 400)
        #expect(status(.unknown) == 400)
        let tooMany = ReactorError(.tooManyConnections, "full")
        #expect(HTTPErrorMapping.status(for: tooMany).code == 503)
        // A 503 whose message is written for clients.
        #expect(HTTPErrorMapping.publicError(tooMany)["message"]?.stringValue == "full")
        let answer = String(buffer: ConnectionAnswer.bytes(for: ReactorError(.urlTooLong, "long"), headers: [("retry-after", "1")]))
        #expect(answer.hasPrefix("HTTP/1.1 414 URI Too Long\r\n"))
        #expect(answer.contains("retry-after: 1\r\nconnection: close\r\n\r\n{\"error\":{\"code\":\"URL_TOO_LONG\""))
    }
}
