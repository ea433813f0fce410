import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore
import ReactorTesting
import Testing

/// Functions (issue 15) on the shipped binary: deployed over HTTP and with the CLI, invoked, promoted, rolled back,
/// every limit hit without harming the server, logs followed over SSE, versions kept across a restart, and a
/// document-event trigger that misses no operation across a SIGKILL.
@Suite("Functions on reactor serve", .timeLimit(.minutes(5)))
struct FunctionServerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let modules = root.appendingPathComponent("Tests/ReactorWasmTests/Modules")
    static let hello = root.appendingPathComponent("examples/functions/hello.wat")

    static func module(_ name: String) -> String { modules.appendingPathComponent("\(name).wat").path }

    static func functions(_ server: ServerProcess, _ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await runCLI(["functions"] + arguments + ["--server", server.base, "--data-dir", server.dataDirectory.path])
    }

    /// A raw call of a function route.
    static func call(_ url: String, method: HTTPMethod = .GET, body: String? = nil, headers: [String: String] = [:]) async throws
        -> (status: Int, headers: HTTPHeaders, body: String)
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return (Int(response.status.code), response.headers, String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    @Test func deployInvokePromoteRollbackLimitsLogsAndRestart() async throws {
        let server = try await ServerProcess()
        let token = try server.adminToken()

        // Deploy with the CLI (WAT compiled at deploy) and call it with plain HTTP.
        let deployed = try await Self.functions(server, ["deploy", "hello", Self.hello.path, "--env", "GREETING=hi"])
        #expect(deployed.status == 0, "\(deployed.err)")
        #expect(deployed.out.contains("deployed hello v") && deployed.out.contains("(live)"), "\(deployed.out)")
        let first = try await Self.call(server.base + "/functions/v1/hello/some/path?x=1")
        #expect(first.status == 200, "\(first.body)")
        let answer = try JSONValueCoder.parse(first.body)
        #expect(answer["greeting"] == "hi")
        #expect(answer["request"]?["path"] == "/some/path" && answer["request"]?["query"] == "x=1")
        let v1 = try #require(first.headers.first(name: "reactor-function-version"))

        // A second version over the admin API (binary module, JSON settings): it goes live.
        let module: JSONValue = if let binary = await Self.compileEcho() {
            ["module": .string(binary.base64EncodedString())]
        } else {
            ["wat": .string(try String(contentsOfFile: Self.module("echo"), encoding: .utf8))]
        }
        let second = try await http(.POST, server.base + "/_admin/functions/hello/versions", module, token: token)
        #expect(second.status == 201, "\(second.json)")
        let v2 = try #require(second.json["version"]?["id"]?.stringValue)
        let echoed = try await Self.call(server.base + "/functions/v1/hello", method: .POST, body: #"{"a":1}"#,
                                         headers: ["content-type": "application/json"])
        #expect(echoed.status == 200 && echoed.headers.first(name: "reactor-function-version") == v2)
        #expect(try JSONValueCoder.parse(echoed.body)["body"] == #"{"a":1}"#, "\(echoed.body)")

        let versions = try await Self.functions(server, ["versions", "hello"])
        #expect(versions.out.contains(v1) && versions.out.contains("\(v2)\t") && versions.out.contains("live"), "\(versions.out)")
        #expect(try await Self.functions(server, ["rollback", "hello"]).out.contains("\(v1) is live"))
        #expect(try await Self.call(server.base + "/functions/v1/hello").headers.first(name: "reactor-function-version") == v1)
        #expect(try await Self.functions(server, ["promote", "hello", v2]).out.contains("\(v2) is live"))
        // A version named by the header runs instead of the live one.
        let pinned = try await Self.call(server.base + "/functions/v1/hello", headers: ["reactor-function-version": v1])
        #expect(pinned.headers.first(name: "reactor-function-version") == v1)
        let invoked = try await Self.functions(server, ["invoke", "hello", "-X", "POST", "-d", #"{"from":"cli"}"#])
        #expect(invoked.status == 0 && invoked.out.contains(#"{\"from\":\"cli\"}"#), "\(invoked.out) \(invoked.err)")

        // Each limit ends its own invocation with its own code; the server and the other functions go on.
        let limits: [(name: String, module: String, flags: [String], status: Int, code: String)] = [
            ("fuel", "runaway", ["--fuel", "5000000"], 502, "FUNCTION_FUEL_EXHAUSTED"),
            ("timeout", "runaway", ["--fuel", "100000000000000", "--timeout-ms", "300"], 504, "FUNCTION_TIMEOUT"),
            ("memory", "memoryBomb", ["--memory-bytes", "1048576"], 502, "FUNCTION_MEMORY_LIMIT"),
            ("trap", "trap", [], 502, "FUNCTION_TRAPPED"),
            ("oversized", "oversized", ["--max-response-bytes", "1000"], 502, "FUNCTION_RESPONSE_TOO_LARGE"),
        ]
        for limit in limits {
            let deploy = try await Self.functions(server, ["deploy", limit.name, Self.module(limit.module)] + limit.flags)
            #expect(deploy.status == 0, "\(limit.name): \(deploy.err)")
            let reply = try await http(.GET, server.base + "/functions/v1/\(limit.name)")
            #expect(reply.status == limit.status && reply.json["error"]?["code"]?.stringValue == limit.code, "\(limit.name): \(reply.json)")
            #expect(reply.json["error"]?["details"]?["function"]?.stringValue == limit.name, "\(reply.json)")
        }
        #expect(try await Self.call(server.base + "/functions/v1/hello").status == 200)
        #expect(try await http(.GET, server.base + "/health").status == 200)

        // Bad deploys are 4xx with a stable code, and change nothing.
        let bad = try await http(.POST, server.base + "/_admin/functions/hello/versions", ["wat": "(module"], token: token)
        #expect(bad.status == 422 && bad.json["error"]?["code"]?.stringValue == "FUNCTION_INVALID_MODULE", "\(bad.json)")
        let badName = try await http(.POST, server.base + "/_admin/functions/Hello%20World/versions", ["wat": "(module)"], token: token)
        #expect(badName.status == 400 && badName.json["error"]?["code"]?.stringValue == "INVALID_ARGUMENT", "\(badName.json)")
        let unknown = try await http(.GET, server.base + "/functions/v1/nobody")
        #expect(unknown.status == 404 && unknown.json["error"]?["code"]?.stringValue == "FUNCTION_NOT_FOUND")
        let anonymous = try await http(.GET, server.base + "/_admin/functions")
        #expect(anonymous.status == 401)

        // Logs: recent invocations, and new ones followed over SSE.
        let logs = try await Self.functions(server, ["logs", "trap"])
        #expect(logs.out.contains("FUNCTION_TRAPPED"), "\(logs.out)")
        try await Self.followsLogs(server, token: token)

        // Versions and the live pointer are in the store, modules in the blob store: a restart serves the same.
        #expect(try await server.terminate() == 0)
        let restarted = try await ServerProcess(directory: server.directory)
        let after = try await Self.call(restarted.base + "/functions/v1/hello", method: .POST, body: "{}", headers: ["content-type": "application/json"])
        #expect(after.status == 200 && after.headers.first(name: "reactor-function-version") == v2, "\(after.body)")
        let removed = try await Self.functions(restarted, ["rm", "hello"])
        #expect(removed.status == 0, "\(removed.err)")
        #expect(try await http(.GET, restarted.base + "/functions/v1/hello").status == 404)
        let listed = try await Self.functions(restarted, ["ls"])
        #expect(!listed.out.contains("hello\t") && listed.out.contains("trap\t"), "\(listed.out)")
        _ = try await restarted.terminate()
    }

    /// `echo.wat` as a binary module, compiled by wabt's wat2wasm (installed by `.ci/run`); nil without it (the test
    /// then uploads the text).
    static func compileEcho() async -> Data? {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-echo-\(UUID().uuidString).wasm")
        defer { try? FileManager.default.removeItem(at: output) }
        guard let (status, _) = try? await TestProcess.run("/usr/bin/wat2wasm", [module("echo"), "-o", output.path]), status == 0 else {
            return nil
        }
        return FileManager.default.contents(atPath: output.path)
    }

    /// Opens `GET /_admin/functions/trap/logs?follow=true`, invokes the function, and reads the entry from the stream.
    static func followsLogs(_ server: ServerProcess, token: String) async throws {
        var request = HTTPClientRequest(url: server.base + "/_admin/functions/trap/logs?follow=true&limit=0")
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "content-type") == "text/event-stream")
        var text = ""
        var invoked = false
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.contains("event: ready"), !invoked {
                invoked = true
                _ = try await http(.GET, server.base + "/functions/v1/trap")
            }
            if text.contains("event: entry") && text.contains("FUNCTION_TRAPPED") { break }
        }
        #expect(text.contains("event: entry") && text.contains("\"trigger\":\"http\""), "\(text)")
    }

    @Test func aDocumentTriggerMissesNoOperationAcrossAKill() async throws {
        let server = try await ServerProcess()
        let token = try server.adminToken()
        for id in ["source", "seen"] {
            let created = try await http(.POST, server.base + "/reactor/v1/documents?wait=true",
                                         ["documentType": "reactor/todo-list", "id": .string(id)])
            #expect(created.status == 200 || created.status == 201 || created.status == 202, "\(created.json)")
        }
        let deployed = try await Self.functions(server, [
            "deploy", "copier", Self.module("ordinalTrigger"), "--trigger-document", "source", "--trigger-action", "ADD_TODO",
        ])
        #expect(deployed.status == 0, "\(deployed.err)")
        func add(_ base: String, _ range: ClosedRange<Int>) async throws {
            for n in range {
                let reply = try await http(.POST, base + "/reactor/v1/documents/source/actions?wait=true",
                                           ["actions": [["id": .string("a\(n)"), "type": "ADD_TODO", "input": ["id": .string("t\(n)"), "text": "x"]]]])
                #expect((200..<300).contains(reply.status), "\(reply.json)")
            }
        }
        try await add(server.base, 1...15)
        // Killed at once: the trigger has some operations behind it, maybe some mid-invocation.
        kill(server.process.processIdentifier, SIGKILL)
        _ = try await server.waitForExit(timeout: 30)
        let restarted = try await ServerProcess(directory: server.directory)
        try await add(restarted.base, 16...25)
        try await eventually("every added to-do was seen by the trigger", timeout: .seconds(60), interval: .milliseconds(100)) {
            let seen = try await http(.GET, restarted.base + "/reactor/v1/documents/seen", token: token)
            return (seen.json["state"]?["global"]?["items"]?.arrayValue?.count ?? 0) == 25
        }
        let seen = try await http(.GET, restarted.base + "/reactor/v1/documents/seen")
        let ids = Set((seen.json["state"]?["global"]?["items"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
        #expect(ids.count == 25 && ids.allSatisfy { $0.hasPrefix("op-") }, "\(ids)")
        _ = try await restarted.terminate()
    }
}
