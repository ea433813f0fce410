import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore
import ReactorTesting
import Testing

/// Document models as WASM modules on the built `reactor serve` binary: the C to-do model registered with
/// `reactor models add` and over HTTP, used through the document API, and loaded again from the store and the blob
/// store after a restart; on PostgreSQL, a second node loads a model registered on the first.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ModelServerTests {
    static let initialState = #"{"global": {"items": [], "title": ""}}"#

    @Test(.timeLimit(.minutes(5)))
    func registerUseAndRestart() async throws {
        guard let module = try await WasmTodoModule.build() else { return }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("todo.wasm")
        try Data(module).write(to: file)

        let server = try await ServerProcess(directory: directory)
        let admin = try server.adminToken()
        let added = try await runCLI([
            "models", "add", file.path, "--type", WasmTodoModule.documentType, "--version", "1", "--initial-state", Self.initialState,
            "--server", server.base, "--data-dir", server.dataDirectory.path,
        ])
        #expect(added.status == 0, "\(added.out) \(added.err)")
        #expect(added.out.contains("registered example/wasm-todo v1"))

        // The same module again, as the body: idempotent (200). Another module for the pair, a built-in type, junk:
        // refused with stable codes.
        let modelsURL = "\(server.base)/reactor/v1/models"
        let again = try await upload(module, "\(modelsURL)?documentType=example/wasm-todo&version=1&initialState=\(Self.encoded(Self.initialState))", token: admin)
        #expect(again.status == 200, "\(again.json)")
        #expect(again.json["created"] == false)
        let other = try await upload(Array("(module (memory (export \"memory\") 1))".utf8), "\(modelsURL)?documentType=example/wasm-todo&version=1", token: admin)
        #expect(other.status == 422 && other.json["error"]?["code"] == "MODEL_INVALID", "\(other.json)")
        let conflicting = try await http(.POST, modelsURL, [
            "documentType": "example/wasm-todo", "version": 1, "module": .string(Data(module).base64EncodedString()),
        ], token: admin)
        #expect(conflicting.status == 409 && conflicting.json["error"]?["code"] == "MODEL_EXISTS", "\(conflicting.json)")
        let builtIn = try await upload(module, "\(modelsURL)?documentType=reactor/todo-list&version=2", token: admin)
        #expect(builtIn.status == 409 && builtIn.json["error"]?["code"] == "MODEL_EXISTS")
        let junk = try await upload(Array("not a module".utf8), "\(modelsURL)?documentType=example/junk&version=1", token: admin)
        #expect(junk.status == 422 && junk.json["error"]?["code"] == "MODEL_INVALID")
        let anonymous = try await upload(module, "\(modelsURL)?documentType=example/anon&version=1", token: nil)
        #expect(anonymous.status == 401 || anonymous.status == 403)

        let listed = try await http(.GET, modelsURL)
        let kinds = Dictionary(uniqueKeysWithValues: (listed.json["models"]?.arrayValue ?? []).map {
            ($0["documentType"]?.stringValue ?? "", $0["kind"]?.stringValue ?? "")
        })
        #expect(kinds["example/wasm-todo"] == "wasm" && kinds["reactor/todo-list"] == "builtin", "\(listed.json)")
        let shown = try await http(.GET, "\(modelsURL)/example/wasm-todo")
        #expect(shown.json["versions"]?.arrayValue?.first?["scopes"] == ["global", "local"], "\(shown.json)")
        #expect(try await http(.GET, "\(modelsURL)/example/none").json["error"]?["code"] == "MODEL_NOT_FOUND")
        let ls = try await runCLI(["models", "ls", "--server", server.base, "--data-dir", server.dataDirectory.path])
        #expect(ls.out.contains("example/wasm-todo  wasm"), "\(ls.out)")

        try await Self.createAndAdd(server.base, id: "groceries", todo: "milk")
        let errored = try await http(.POST, "\(server.base)/reactor/v1/documents/groceries/actions?wait=true",
                                     ["actions": [["id": "a9", "type": "TOGGLE_TODO", "input": ["id": "nope"]]]])
        #expect(errored.status == 200)
        let invalid = try await http(.POST, "\(server.base)/reactor/v1/documents/groceries/actions?wait=true",
                                     ["actions": [["id": "a10", "type": "ADD_TODO", "input": ["id": "x"]]]])
        #expect(invalid.status == 400 && invalid.json["error"]?["code"] == "INVALID_INPUT" && invalid.json["error"]?["path"] == "input.text",
                "\(invalid.json)")
        #expect(try await server.terminate() == 0)

        // After a restart the model comes back from the store and the blob store.
        let restarted = try await ServerProcess(directory: directory)
        let read = try await http(.GET, "\(restarted.base)/reactor/v1/documents/groceries")
        #expect(read.json["state"]?["global"]?["items"]?.arrayValue?.first?["text"] == "milk", "\(read.json)")
        let more = try await http(.POST, "\(restarted.base)/reactor/v1/documents/groceries/actions?wait=true",
                                  ["actions": [["id": "a11", "type": "ADD_TODO", "input": ["id": "t2", "text": "eggs"]]]])
        #expect(more.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.count == 2, "\(more.json)")
        let ops = try await http(.GET, "\(restarted.base)/reactor/v1/documents/groceries/operations?scope=global")
        #expect(ops.json["items"]?.arrayValue?.compactMap { $0["operation"]?["error"]?.stringValue } == ["no to-do with id 'nope'"], "\(ops.json)")
        #expect(try await restarted.terminate() == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func modelsListedInReactorTomlAreRegisteredAtBoot() async throws {
        guard let module = try await WasmTodoModule.build() else { return }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(module).write(to: directory.appendingPathComponent("todo.wasm"))
        try """
            [models]
            fuel_per_action = 2000000

            [[models.modules]]
            type = "example/wasm-todo"
            version = 1
            path = "todo.wasm"
            initial_state = '\(Self.initialState)'
            """.write(to: directory.appendingPathComponent("Reactor.toml"), atomically: true, encoding: .utf8)
        for _ in 0..<2 {  // the second boot finds the model registered already
            let server = try await ServerProcess(directory: directory)
            let shown = try await http(.GET, "\(server.base)/reactor/v1/models/example/wasm-todo")
            #expect(shown.json["kind"] == "wasm", "\(shown.json) \(server.standardError)")
            try await Self.createAndAdd(server.base, id: UUID().uuidString, todo: "configured")
            #expect(try await server.terminate() == 0)
        }
    }

    #if Postgres
    @Test(.timeLimit(.minutes(5)))
    func aSecondNodeLoadsAModelRegisteredOnTheFirst() async throws {
        guard let module = try await WasmTodoModule.build() else { return }
        let url = try await PostgresTestServer.createDatabase("models")
        let blobs = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: blobs) }
        // Both nodes on one database and one blob directory (in production: S3, or a shared volume).
        let env = [
            "REACTOR_STORE__BACKEND": "postgres", "REACTOR_STORE__URL": url, "REACTOR_VAULT__BACKEND": "none",
            "REACTOR_STORAGE__FS_BASE_PATH": blobs.path, "REACTOR_STORAGE__SIGNING_SECRET": String(repeating: "s", count: 40),
        ]
        let node1 = try await ServerProcess(environment: env)
        let node2 = try await ServerProcess(environment: env)
        defer {
            try? FileManager.default.removeItem(at: node1.directory)
            try? FileManager.default.removeItem(at: node2.directory)
        }
        let registered = try await upload(
            module, "\(node1.base)/reactor/v1/models?documentType=example/wasm-todo&version=1&initialState=\(Self.encoded(Self.initialState))",
            token: try node1.adminToken())
        #expect(registered.status == 201, "\(registered.json)")
        // Node 2 never saw the registration: it loads the record and the module when a document needs them.
        try await Self.createAndAdd(node2.base, id: "on-node-2", todo: "from node 2")
        let listed = try await http(.GET, "\(node2.base)/reactor/v1/models/example/wasm-todo")
        #expect(listed.json["kind"] == "wasm")
        let read = try await http(.GET, "\(node1.base)/reactor/v1/documents/on-node-2")
        #expect(read.json["state"]?["global"]?["items"]?.arrayValue?.first?["text"] == "from node 2", "\(read.json)")
        #expect(try await node2.terminate() == 0)
        #expect(try await node1.terminate() == 0)
    }
    #endif

    /// Creates a `example/wasm-todo` document `id` and adds one to-do.
    static func createAndAdd(_ base: String, id: String, todo: String) async throws {
        let created = try await http(.POST, "\(base)/reactor/v1/documents?wait=true", ["documentType": "example/wasm-todo", "id": .string(id)])
        #expect(created.status == 201, "\(created.json)")
        #expect(created.json["document"]?["state"]?["global"] == ["items": [], "title": ""], "\(created.json)")
        let changed = try await http(.POST, "\(base)/reactor/v1/documents/\(id)/actions?wait=true",
                                     ["actions": [["id": "a1", "type": "ADD_TODO", "input": ["id": "t1", "text": .string(todo)]]]])
        #expect(changed.status == 200, "\(changed.json)")
        #expect(changed.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.first?["text"]?.stringValue == todo, "\(changed.json)")
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// `POST` of a module as `application/wasm`.
    func upload(_ module: [UInt8], _ url: String, token: String?) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/wasm")
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: module))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return HTTPReply(status: Int(response.status.code), json: (try? JSONValueCoder.parse(text)) ?? .string(text))
    }
}
