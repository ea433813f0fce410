import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import ReactorCore
import ReactorSQLite
import Synchronization
import Testing

/// The built `reactor serve` binary driven over real HTTP: the README's quick start, live subscriptions, SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ServerProcessTests {
    @Test(.timeLimit(.minutes(3)))
    func quickStartCreateExecuteSubscribeAndStop() async throws {
        let server = try await ServerProcess()
        defer { try? FileManager.default.removeItem(at: server.directory) }

        let health = try await http(.GET, "\(server.base)/health")
        #expect(health.status == 200)

        // A live SSE subscription sees the document being created and changed.
        let sse = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "\(server.base)/reactor/v1/subscriptions/events?type=reactor/todo-list"), timeout: .seconds(60))
        var sseIterator = sse.body.makeAsyncIterator()
        var sseText = ""
        while !sseText.contains("event: ready"), let chunk = try await sseIterator.next() { sseText += String(buffer: chunk) }

        let created = try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true",
                                     ["documentType": "reactor/todo-list", "slug": "groceries", "name": "Groceries"])
        #expect(created.status == 201)
        let changed = try await http(.POST, "\(server.base)/reactor/v1/documents/groceries/actions?wait=true",
                                     ["actions": [["id": "a1", "type": "ADD_TODO", "input": ["id": "t1", "text": "milk"]]]])
        #expect(changed.status == 200)
        #expect(changed.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.first?["text"]?.stringValue == "milk")

        func completeChangeEvents() -> Int {
            var blocks = sseText.components(separatedBy: "\n\n")
            blocks.removeLast()
            return blocks.filter { $0.contains("event: change") }.count
        }
        while completeChangeEvents() < 2, let chunk = try await sseIterator.next() {
            sseText += String(buffer: chunk)
        }
        #expect(sseText.contains("\"kind\":\"created\""))
        #expect(sseText.contains("milk"))

        // WebSocket: a change to the watched document arrives.
        let got = Mutex<JSONValue?>(nil)
        let base = server.base
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/reactor/v1/subscriptions/ws?slugs=groceries", logger: Logger(label: "ws")) {
            inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message, let json = try? JSONValueCoder.parse(text) else { continue }
                if json["type"]?.stringValue == "ready" {
                    try await http(.POST, "\(base)/reactor/v1/documents/groceries/actions?wait=true",
                                   ["actions": [["id": "a2", "type": "ADD_TODO", "input": ["id": "t2", "text": "eggs"]]]])
                } else if json["type"]?.stringValue == "change" {
                    got.withLock { $0 = json["change"] }
                    try await outbound.close(.normalClosure, reason: nil)
                    return
                }
            }
        }
        #expect(got.withLock { $0 }?["document"]?["state"]?["global"]?["items"]?.arrayValue?.count == 2)

        // SIGTERM with an SSE stream open: the server ends the stream and exits cleanly.
        let status = try await server.terminate()
        #expect(status == 0, "exit status \(status); stderr: \(server.standardError)")
        #expect(server.standardOutput.contains("\"event\":\"listening\""))
        for file in ["reactor.sqlite", "vault.key", "blobs"] {
            #expect(FileManager.default.fileExists(atPath: server.directory.appendingPathComponent(".reactor/\(file)").path),
                    "./.reactor/\(file) is missing")
        }
    }

    /// SIGTERM while jobs are still queued (proved by their status just before the signal) and while a `?wait=true`
    /// request waits behind them (proved by the in-flight gauge): the waiting request gets its document, every
    /// accepted job is finished and stored, and the server exits 0.
    @Test(.timeLimit(.minutes(3)))
    func sigtermDrainsAcceptedJobs() async throws {
        // The waiting request must outlive the HTTP shutdown deadline (10 s by default), which a loaded machine's
        // drain can pass: that deadline is the hostile-clients suite's subject, not this test's.
        let server = try await ServerProcess(environment: ["REACTOR_SERVER__SHUTDOWN_TIMEOUT_SECONDS": "300"])
        defer { try? FileManager.default.removeItem(at: server.directory) }
        for d in 0..<10 {
            let created = try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": .string("d\(d)")])
            #expect(created.status == 201)
        }
        var accepted: [(document: String, action: String)] = []
        func submit(_ document: String, _ actions: [String]) async throws -> String {
            let reply = try await http(.POST, "\(server.base)/reactor/v1/documents/\(document)/actions", [
                "actions": .array(actions.map { ["id": .string($0), "type": "ADD_TODO", "input": ["id": .string($0), "text": "x"]] }),
            ])
            #expect(reply.status == 202)
            accepted += actions.map { (document, $0) }
            return try #require(reply.json["job"]?["id"]?.stringValue)
        }
        for round in 0..<20 {
            for d in 0..<10 { _ = try await submit("d\(d)", ["r\(round)-d\(d)"]) }
        }
        // A queue on d0: these take a few seconds to reduce and store one after another.
        var lastQueued = ""
        for heavy in 0..<10 { lastQueued = try await submit("d0", (0..<100).map { "h\(heavy)-\($0)" }) }

        // A request that waits for a job queued behind all of them.
        let base = server.base
        let waiting = Task {
            try await http(.POST, "\(base)/reactor/v1/documents/d0/actions?wait=true",
                           ["actions": [["id": "last", "type": "ADD_TODO", "input": ["id": "last", "text": "after the queue"]]]])
        }
        // It is in flight when this /metrics request sees two requests being handled (itself and the waiting one).
        var inFlight = 0.0
        let deadline = Date().addingTimeInterval(60)
        while inFlight < 2 {
            guard Date() < deadline else {
                Issue.record("the ?wait=true request never showed as in flight")
                break
            }
            let metrics = try await httpText("\(server.base)/metrics")
            inFlight = metrics.split(separator: "\n").first { $0.hasPrefix("reactor_http_requests_in_flight ") }
                .flatMap { Double($0.split(separator: " ")[1]) } ?? 0
            if inFlight < 2 { try await Task.sleep(for: .milliseconds(5)) }
        }
        let queued = try await http(.GET, "\(server.base)/reactor/v1/jobs/\(lastQueued)")
        let statusAtSignal = try #require(queued.json["job"]?["status"]?.stringValue)
        #expect(["PENDING", "RUNNING"].contains(statusAtSignal), "the queue was drained before SIGTERM; the test proves nothing")

        let status = try await server.terminate()
        #expect(status == 0, "stderr: \(server.standardError)")
        let answer = try await waiting.value
        #expect(answer.status == 200, "\(answer.json)")
        #expect(answer.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.last?["id"]?.stringValue == "last")

        let store = try SQLiteStore(path: server.directory.appendingPathComponent(".reactor/reactor.sqlite").path)
        defer { Task { try? await store.close() } }
        for d in 0..<10 {
            let stored = try await store.operations(in: StreamID(documentID: "d\(d)", scope: Scope.global), fromIndex: 0, limit: nil)
            let ids = Set(stored.map(\.action.id))
            for job in accepted where job.document == "d\(d)" {
                #expect(ids.contains(job.action), "accepted action \(job.action) was lost at shutdown")
            }
            if d == 0 { #expect(ids.contains("last")) }
        }
    }

    /// A choice given as a reference (here through a REACTOR_* variable) is resolved when the server boots.
    @Test(.timeLimit(.minutes(3)))
    func choiceReferenceResolvesAtBoot() async throws {
        let server = try await ServerProcess(environment: ["REACTOR_STORE__BACKEND": "env:MY_BACKEND", "MY_BACKEND": "memory",
                                                           "REACTOR_LOG__LEVEL": "env:MY_LEVEL", "MY_LEVEL": "warning"])
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let version = try await http(.GET, "\(server.base)/_admin/version", token: try server.adminToken())
        #expect(version.json["store"]?.stringValue == "memory")
        var traits: [JSONValue] = []
        #if Postgres
        traits.append("Postgres")
        #endif
        #if S3
        traits.append("S3")
        #endif
        #if OpenBao
        traits.append("OpenBao")
        #endif
        #if WASM
        traits.append("WASM")
        #endif
        #if AI
        traits.append("AI")
        #endif
        #expect(version.json["traits"] == .array(traits))
        #expect(try await server.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: server.directory.appendingPathComponent(".reactor/reactor.sqlite").path))
    }

    @Test func badConfigurationStopsTheBootNamingTheKey() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[server]\nbind = \"127.0.0.1:0\"\nport = 9\n".write(to: dir.appendingPathComponent("Reactor.toml"), atomically: true, encoding: .utf8)
        let result = try await runCLI(["serve", "--config", dir.appendingPathComponent("Reactor.toml").path])
        #expect(result.status == 78)
        #expect(result.err.contains("server.port"), "stderr: \(result.err)")

        let missing = try await runCLI(["serve", "--config", dir.appendingPathComponent("nope.toml").path])
        #expect(missing.status == 78)
        #expect(missing.err.contains("nope.toml"))
    }
}
