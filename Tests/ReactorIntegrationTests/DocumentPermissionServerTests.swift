import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import ReactorCore
import ReactorTesting
import Synchronization
import Testing

/// Document permissions (issue 14) through the shipped binary on a real port, with the identity service on: two
/// users, one document each, each blocked from the other's (reads, writes, searches, subscriptions, operations,
/// relationships, jobs, batches); sharing by grant and taking it back; a public document read without a token;
/// inheritance through a drive; an admin sees everything. On SQLite, and on PostgreSQL when the binary links it.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DocumentPermissionServerTests {
    static var backends: [String] {
        #if Postgres
        ["sqlite", "postgres"]
        #else
        ["sqlite"]
        #endif
    }

    struct Users {
        var root: String
        var alice: String
        var bob: String
        /// Bob's user id (the `sub` of his tokens), as grants name him.
        var bobID: String
    }

    static func environment(_ backend: String) async throws -> [String: String] {
        var env = ["REACTOR_AUTH__SERVICE": "true", "REACTOR_AUTH__SCRYPT_LOG_N": "4"]
        #if Postgres
        if backend == "postgres" {
            env["REACTOR_STORE__BACKEND"] = "postgres"
            env["REACTOR_STORE__URL"] = try await PostgresTestServer.createDatabase("permissions")
        }
        #endif
        return env
    }

    /// Signs up root (the first user: admin), alice and bob; their access tokens.
    static func signUp(_ base: String) async throws -> Users {
        var tokens: [String] = []
        var ids: [String] = []
        for name in ["root", "alice", "bob"] {
            let credentials: JSONValue = ["email": .string("\(name)@example.com"), "password": "correct horse battery"]
            let signUp = try await http(.POST, "\(base)/auth/v1/signup", credentials)
            #expect(signUp.status == 201, "\(signUp.json)")
            tokens.append(try #require(signUp.json["accessToken"]?.stringValue))
            ids.append(try #require(signUp.json["user"]?["id"]?.stringValue))
        }
        return Users(root: tokens[0], alice: tokens[1], bob: tokens[2], bobID: ids[2])
    }

    /// `{"actions": […]}`, each action given a fresh id.
    static func actions(_ actions: JSONValue...) -> JSONValue {
        ["actions": .array(actions.map { action in
            var object = action.objectValue ?? [:]
            object["id"] = .string(UUID().uuidString)
            return .object(object)
        })]
    }
    static func grant(_ principal: String, _ capability: String) -> JSONValue {
        ["type": "SET_PERMISSION", "scope": "document", "input": ["principal": .string(principal), "capability": .string(capability)]]
    }
    static func revoke(_ principal: String) -> JSONValue {
        ["type": "REMOVE_PERMISSION", "scope": "document", "input": ["principal": .string(principal)]]
    }
    static let addTodo: JSONValue = ["type": "ADD_TODO", "input": ["id": "t", "text": "milk"]]

    @Test(.timeLimit(.minutes(5)), arguments: backends)
    func twoUsersAreIsolatedUntilTheyShare(_ backend: String) async throws {
        let server = try await ServerProcess(environment: try await Self.environment(backend))
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let api = "\(server.base)/reactor/v1"
        let users = try await Self.signUp(server.base)

        // One document each.
        let created = try await http(.POST, "\(api)/documents?wait=true",
                                     ["documentType": "reactor/todo-list", "id": "alices", "slug": "alices-list"], token: users.alice)
        #expect(created.status == 201, "\(created.json)")
        #expect(created.json["document"]?["state"]?["document"]?["createdBy"] != nil)
        let alicesJob = try #require(created.json["job"]?["id"]?.stringValue)
        #expect(try await http(.POST, "\(api)/documents?wait=true", ["documentType": "reactor/todo-list", "id": "bobs"], token: users.bob).status == 201)

        // Bob cannot see or touch alice's: every path answers as for a document that does not exist.
        for path in ["documents/alices", "documents/alices-list", "documents/alices/operations", "documents/alices/children",
                     "documents/alices/parents", "documents/alices/relationships", "documents/alices/sync"] {
            let reply = try await http(.GET, "\(api)/\(path)", token: users.bob)
            #expect(reply.status == 404, "\(path): \(reply.json)")
            #expect(reply.json["error"]?["code"] == "DOCUMENT_NOT_FOUND", "\(path)")
        }
        #expect(try await http(.GET, "\(api)/jobs/\(alicesJob)", token: users.bob).json["error"]?["code"] == "JOB_NOT_FOUND")
        #expect(try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.addTodo), token: users.bob).status == 404)
        #expect(try await http(.DELETE, "\(api)/documents/alices", token: users.bob).status == 404)
        #expect(try await http(.POST, "\(api)/documents/bobs/children?wait=true", ["ids": ["alices"]], token: users.bob).status == 404)
        let batch = try await http(.POST, "\(api)/batches",
                                   ["jobs": [["key": "x", "documentId": "alices", "actions": Self.actions(Self.addTodo)["actions"]!]]], token: users.bob)
        #expect(batch.status == 404, "\(batch.json)")
        let found = try await http(.GET, "\(api)/documents?type=reactor/todo-list", token: users.bob)
        #expect(found.json["items"]?.arrayValue?.compactMap { $0["header"]?["id"]?.stringValue } == ["bobs"], "\(found.json)")
        // Without a token: 401 as before, for alice's document as for one that does not exist.
        #expect(try await http(.GET, "\(api)/documents/alices").status == 401)
        #expect(try await http(.GET, "\(api)/documents/nothing-here").status == 401)

        // Bob's subscription to every todo list gets his own changes only.
        var sse = HTTPClientRequest(url: "\(api)/subscriptions/events?type=reactor/todo-list")
        sse.headers.add(name: "authorization", value: "Bearer \(users.bob)")
        let stream = try await HTTPClient.shared.execute(sse, timeout: .seconds(60))
        var events = stream.body.makeAsyncIterator()
        var text = ""
        while !text.contains("event: ready"), let chunk = try await events.next() { text += String(buffer: chunk) }
        #expect(try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.addTodo), token: users.alice).status == 200)
        let bobsWrite = try await http(.POST, "\(api)/documents/bobs/actions?wait=true", Self.actions(Self.addTodo), token: users.bob)
        try #require(bobsWrite.status == 200, "\(bobsWrite.json)")
        while !text.contains("\"bobs\""), let chunk = try await events.next() { text += String(buffer: chunk) }
        #expect(text.contains("\"bobs\""))
        #expect(!text.contains("alices"), "bob's stream carried alice's change")

        // The same over WebSocket (the token as ?access_token=, as browsers send it).
        let received = Mutex<[String]>([])
        let (aliceToken, bobToken) = (users.alice, users.bob)
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(server.port)/reactor/v1/subscriptions/ws?type=reactor/todo-list&access_token=\(users.bob)", logger: Logger(label: "ws")
        ) { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message, let json = try? JSONValueCoder.parse(text) else { continue }
                if json["type"]?.stringValue == "ready" {
                    try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.addTodo), token: aliceToken)
                    try await http(.POST, "\(api)/documents/bobs/actions?wait=true", Self.actions(Self.addTodo), token: bobToken)
                } else if json["type"]?.stringValue == "change", let id = json["change"]?["documentId"]?.stringValue {
                    received.withLock { $0.append(id) }
                    if id == "bobs" {
                        try await outbound.close(.normalClosure, reason: nil)
                        return
                    }
                }
            }
        }
        #expect(received.withLock { $0 } == ["bobs"])

        // Shared for reading: bob reads it and finds it, cannot write (403 now that he may know it).
        #expect(try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.grant("user:\(users.bobID)", "read")), token: users.alice).status == 200)
        #expect(try await http(.GET, "\(api)/documents/alices-list", token: users.bob).status == 200)
        #expect(try await http(.GET, "\(api)/documents/alices/operations", token: users.bob).json["items"]?.arrayValue?.count == 4)
        let readOnly = try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.addTodo), token: users.bob)
        #expect(readOnly.status == 403, "\(readOnly.json)")
        #expect(readOnly.json["error"]?["code"] == "FORBIDDEN")
        // Shared for writing: bob writes; he still cannot share it onward.
        #expect(try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.grant("user:\(users.bobID)", "write")), token: users.alice).status == 200)
        let write = try await http(.POST, "\(api)/documents/alices/actions?wait=true",
                                   Self.actions(["type": "ADD_TODO", "input": ["id": "b", "text": "from bob"]]), token: users.bob)
        #expect(write.status == 200, "\(write.json)")
        #expect(try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.grant("anyone", "read")), token: users.bob).status == 403)
        // Public: read without a token; bob's document is still not.
        #expect(try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.grant("anyone", "read")), token: users.alice).status == 200)
        #expect(try await http(.GET, "\(api)/documents/alices").status == 200)
        #expect(try await http(.GET, "\(api)/documents/bobs").status == 401)
        #expect(try await http(.POST, "\(api)/documents/alices/actions", Self.actions(Self.addTodo)).status == 401)
        // Taken back.
        #expect(try await http(.POST, "\(api)/documents/alices/actions?wait=true", Self.actions(Self.revoke("user:\(users.bobID)"), Self.revoke("anyone")), token: users.alice).status == 200)
        #expect(try await http(.GET, "\(api)/documents/alices", token: users.bob).status == 404)
        #expect(try await http(.GET, "\(api)/documents/alices").status == 401)

        // An admin sees everything.
        let all = try await http(.GET, "\(api)/documents?type=reactor/todo-list", token: users.root)
        #expect(Set(all.json["items"]?.arrayValue?.compactMap { $0["header"]?["id"]?.stringValue } ?? []) == ["alices", "bobs"])
        #expect(try await server.terminate() == 0)
    }

    @Test(.timeLimit(.minutes(5)), arguments: backends)
    func aDrivesGrantsReachItsFiles(_ backend: String) async throws {
        let server = try await ServerProcess(environment: try await Self.environment(backend))
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let api = "\(server.base)/reactor/v1"
        let users = try await Self.signUp(server.base)
        // Alice's drive and a file in it, made and linked in one batch.
        let batch = try await http(.POST, "\(api)/batches?wait=true", ["jobs": [
            ["key": "drive", "documentId": "drive", "actions": [["id": "c", "type": "CREATE_DOCUMENT", "scope": "document", "input": ["documentType": "reactor/todo-list"]]]],
            ["key": "file", "documentId": "file", "actions": [["id": "c", "type": "CREATE_DOCUMENT", "scope": "document", "input": ["documentType": "reactor/todo-list"]]]],
            ["key": "link", "documentId": "drive", "dependsOn": ["drive", "file"], "actions": [
                ["id": "l", "type": "ADD_RELATIONSHIP", "scope": "document", "input": ["targetId": "file"]],
            ]],
        ]], token: users.alice)
        try #require(batch.status == 200, "\(batch.json)")
        #expect(try await http(.GET, "\(api)/documents/file", token: users.bob).status == 404)
        #expect(try await http(.POST, "\(api)/documents/drive/actions?wait=true", Self.actions(Self.grant("user:\(users.bobID)", "write")), token: users.alice).status == 200)
        #expect(try await http(.GET, "\(api)/documents/file", token: users.bob).status == 200)
        #expect(try await http(.GET, "\(api)/documents/drive/children", token: users.bob).json["items"]?.arrayValue?.count == 1)
        #expect(try await http(.POST, "\(api)/documents/file/actions?wait=true", Self.actions(Self.addTodo), token: users.bob).status == 200)
        // The file's own grant overrides the drive's.
        #expect(try await http(.POST, "\(api)/documents/file/actions?wait=true", Self.actions(Self.grant("user:\(users.bobID)", "none")), token: users.alice).status == 200)
        #expect(try await http(.GET, "\(api)/documents/file", token: users.bob).status == 404)
        #expect(try await http(.GET, "\(api)/documents/drive/children", token: users.bob).json["items"]?.arrayValue?.count == 0)
        #expect(try await server.terminate() == 0)
    }
}
