import Foundation
import NIOHTTP1
import ReactorCore
import ReactorTesting
import Testing

/// Malformed, oversized, half-sent, idle and too many connections against `reactor serve`: each gets an answer
/// (400, 408, 414, 431, 503) or is closed within a bound, the open file descriptors stay bounded, and a SIGTERM
/// exits within the shutdown deadline whatever connections are open.
@Suite("Hostile clients: connections", .tags(.hostileClients), .enabled(if: HostileClientsRun.enabled, HostileClientsRun.reason), .serialized, .timeLimit(.minutes(4)))
struct HostileClientsConnectionTests {
    /// Time allowed for an answer or a close that should come at once (a loaded CI machine is slow).
    static let promptly = Duration.seconds(5)

    @Test func malformedRequestsAreAnsweredAndClosed() async throws {
        let server = try await ServerProcess()
        let bigHeader = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n"
        let bigURL = "GET /\(String(repeating: "a", count: 200_000)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        // The start of a TLS 1.2 ClientHello, as a client configured for https sends to a plain-HTTP port.
        let clientHello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]
            + (0..<32).map { UInt8($0) } + [0x00, 0x00, 0x04, 0xc0, 0x2f, 0x00, 0xff, 0x01, 0x00]
        let cases: [(name: String, bytes: [UInt8], status: Int, code: String)] = [
            ("200 KB header", Array(bigHeader.utf8), 431, "HEADERS_TOO_LARGE"),
            ("200 KB URL", Array(bigURL.utf8), 414, "URL_TOO_LONG"),
            ("TLS ClientHello", clientHello, 400, "BAD_REQUEST"),
            ("unknown method", Array("BREW /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8), 400, "BAD_REQUEST"),
            ("Content-Length with chunked",
             Array("POST /reactor/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8),
             400, "BAD_REQUEST"),
        ]
        for testCase in cases {
            let connection = try await RawConnection.connect(port: server.port)
            // The server may answer before it has read everything; what it does not read it drops.
            try? await connection.send(testCase.bytes)
            let received = try await connection.read(until: .closed, within: Self.promptly)
            print("hostile-clients: \(testCase.name): \(received.status.map(String.init) ?? "no answer") and closed after \(received.elapsed)")
            #expect(received.status == testCase.status, "\(testCase.name): \(received.text.prefix(300))")
            #expect(received.closed, "\(testCase.name)")
            let body = try JSONValueCoder.parse(try #require(received.body, "\(testCase.name): no body"))
            #expect(body["error"]?["code"]?.stringValue == testCase.code, "\(testCase.name): \(body)")
        }
        // The server still serves.
        #expect(try await http(.GET, "\(server.base)/health").status == 200)
    }

    @Test func halfSentAndSilentConnectionsAreClosedAfterTheHeaderReadTimeout() async throws {
        let server = try await ServerProcess(environment: ["REACTOR_SERVER__HEADER_READ_TIMEOUT_SECONDS": "1"])
        let opened = ContinuousClock.now
        let halfSent = try await RawConnection.connect(port: server.port)
        try await halfSent.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ")
        let silent = try await RawConnection.connect(port: server.port)
        let answered = try await halfSent.read(until: .closed, within: Self.promptly)
        let answeredAfter = ContinuousClock.now - opened
        let closedSilently = try await silent.read(until: .closed, within: Self.promptly)
        print("hostile-clients: half-sent head: \(answered.status.map(String.init) ?? "no answer") and closed \(answeredAfter) after the connection opened; silent connection closed \(ContinuousClock.now - opened) after (header_read_timeout_seconds = 1)")
        #expect(answered.status == 408)
        #expect(answered.body?.contains("REQUEST_TIMEOUT") == true)
        // Counted from before the connection opened, so never later than the server's own start of the timeout.
        #expect(answeredAfter >= .milliseconds(950))
        #expect(closedSilently.closed && closedSilently.text.isEmpty)
    }

    @Test func idleKeepAliveConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let server = try await ServerProcess(environment: ["REACTOR_SERVER__IDLE_TIMEOUT_SECONDS": "1"])
        let connection = try await RawConnection.connect(port: server.port)
        let sent = ContinuousClock.now
        try await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let response = try await connection.read(until: .response, within: Self.promptly)
        #expect(response.status == 200)
        #expect(!response.closed)
        let closed = try await connection.read(until: .closed, within: Self.promptly)
        let closedAfter = ContinuousClock.now - sent
        print("hostile-clients: idle keep-alive connection closed \(closedAfter) after its request was sent, \(closed.elapsed) after its response arrived (idle_timeout_seconds = 1)")
        #expect(closed.closed)
        // Counted from before the request, so never later than the server's own start of the timeout.
        #expect(closedAfter >= .milliseconds(950))
    }

    @Test func connectionsBeyondTheLimitAreRefusedAndTheServerKeepsServing() async throws {
        let limit = 50, extra = 150
        let server = try await ServerProcess(environment: [
            "REACTOR_SERVER__MAX_CONNECTIONS": "\(limit)", "REACTOR_SERVER__HEADER_READ_TIMEOUT_SECONDS": "60",
        ])
        let baseline = try server.openFileDescriptors
        // `limit` connections, half of them idle, half with a half-sent request head.
        var held: [RawConnection] = []
        for index in 0..<limit {
            let connection = try await RawConnection.connect(port: server.port)
            if index.isMultiple(of: 2) { try await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n") }
            held.append(connection)
        }
        var refused = 0
        var slowest = Duration.zero
        for _ in 0..<extra {
            let connection = try await RawConnection.connect(port: server.port)
            let received = try await connection.read(until: .closed, within: Self.promptly)
            if received.status == 503, received.body?.contains("TOO_MANY_CONNECTIONS") == true { refused += 1 }
            slowest = max(slowest, received.elapsed)
        }
        let peak = try server.openFileDescriptors
        var stillOpen = 0
        for connection in held {
            if try await !connection.isClosed { stillOpen += 1 }
        }
        print("hostile-clients: max_connections = \(limit): \(stillOpen) held connections open, \(refused)/\(extra) more refused with 503 (slowest refusal \(slowest)); server fds \(baseline) before, \(peak) with \(limit) held")
        #expect(refused == extra)
        #expect(stillOpen == limit)
        #expect(peak <= baseline + limit + 10)

        // Once some close, a fresh connection is served again.
        for connection in held.prefix(10) { await connection.close() }
        try await eventually("a fresh connection gets /health once connections closed", timeout: .seconds(10), interval: .milliseconds(50)) {
            let connection = try await RawConnection.connect(port: server.port)
            try? await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return try await connection.read(until: .response, within: Self.promptly).status == 200
        }
        for connection in held { await connection.close() }
    }

    @Test func sigtermWithOpenConnectionsExitsWithinTheShutdownDeadline() async throws {
        let deadline = 3.0
        let server = try await ServerProcess(environment: [
            "REACTOR_SERVER__SHUTDOWN_TIMEOUT_SECONDS": "\(deadline)",
            "REACTOR_SERVER__HEADER_READ_TIMEOUT_SECONDS": "120", "REACTOR_SERVER__IDLE_TIMEOUT_SECONDS": "120",
        ])
        var quiet: [RawConnection] = []
        for _ in 0..<5 {
            let halfSent = try await RawConnection.connect(port: server.port)
            try await halfSent.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let idle = try await RawConnection.connect(port: server.port)
            try await idle.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try await idle.read(until: .response, within: Self.promptly).status == 200)
            quiet += [halfSent, idle]
        }
        // A request whose body never completes: in flight until the deadline.
        let inFlight = try await RawConnection.connect(port: server.port)
        try await inFlight.send("POST /reactor/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"documentType\"")
        try await eventually("the unfinished request is being handled (it and the /metrics request in flight)") {
            let metrics = try await httpText("\(server.base)/metrics")
            let gauge = metrics.split(separator: "\n").first { $0.hasPrefix("reactor_http_requests_in_flight ") }
            return gauge.flatMap { Double($0.split(separator: " ")[1]) } ?? 0 >= 2
        }

        let started = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        for connection in quiet {
            #expect(try await connection.read(until: .closed, within: Self.promptly).closed)
        }
        let quietClosed = ContinuousClock.now - started
        let status = try await server.waitForExit(timeout: deadline + 20)
        let exited = ContinuousClock.now - started
        #expect(try await inFlight.read(until: .closed, within: Self.promptly).closed)
        print("hostile-clients: SIGTERM with 5 half-sent, 5 idle and 1 unfinished request open: the 10 idle and half-sent closed within \(quietClosed), exit \(status) after \(exited) (shutdown_timeout_seconds = \(deadline))")
        #expect(quietClosed < .seconds(2))
        #expect(status == 0)
        #expect(exited >= .seconds(deadline - 0.5), "the unfinished request should hold the shutdown until the deadline")
        #expect(exited < .seconds(deadline + 5))
    }
}
