import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// Model discovery through a running `reactor serve` (issue 17): built-in models describe their states and actions
/// from their Swift types, a WASM model shows what it declared at registration, `reactor models show` prints it, and
/// `/_admin/jobs` lists the jobs the console shows.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ModelDiscoveryTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func builtInModelsDescribeTheirActionsAndStates() async throws {
        let server = try await ServerProcess()
        let todo = try await http(.GET, "\(server.base)/reactor/v1/models/reactor/todo-list")
        #expect(todo.status == 200, "\(todo.json)")
        let version = try #require(todo.json["versions"]?.arrayValue?.first)
        let actions = version["actions"]?.arrayValue ?? []
        let add = try #require(actions.first { $0["type"] == "ADD_TODO" })
        #expect(add["scope"] == "global")
        #expect(add["input"]?["required"] == ["id", "text"])
        #expect(add["input"]?["properties"]?["text"] == ["type": "string"])
        let update = try #require(actions.first { $0["type"] == "UPDATE_TODO" })
        #expect(update["input"]?["required"] == ["id"], "text and done are optional")
        #expect(actions.first { $0["type"] == "CLEAR_COMPLETED" }?["input"] == .null, "an action without input")
        #expect(version["stateSchemas"]?["global"]?["properties"]?["items"]?["items"]?["required"] == ["id", "text", "done"])
        #expect(todo.json["systemActions"]?.arrayValue?.contains { $0["type"] == "SET_NAME" && $0["scope"] == "document" } == true)
        // The list has every model and the system actions; the percent-encoded type names the same model.
        let list = try await http(.GET, "\(server.base)/reactor/v1/models")
        #expect(list.json["models"]?.arrayValue?.contains { $0["documentType"] == "reactor/drive" } == true)
        #expect(list.json["systemActions"]?.arrayValue?.isEmpty == false)
        let encoded = try await http(.GET, "\(server.base)/reactor/v1/models/reactor%2Ftodo-list")
        #expect(encoded.json["documentType"] == "reactor/todo-list")

        let shown = try await runCLI(["models", "show", "reactor/todo-list", "--server", server.base, "--data-dir", server.dataDirectory.path])
        #expect(shown.status == 0, "\(shown.err)")
        #expect(shown.out.contains("global  ADD_TODO {id, text}"), "\(shown.out)")
        #expect(shown.out.contains("global  UPDATE_TODO {id, done?, text?}"), "\(shown.out)")
        let missing = try await runCLI(["models", "show", "example/none", "--server", server.base, "--data-dir", server.dataDirectory.path])
        #expect(missing.status != 0 && missing.err.contains("MODEL_NOT_FOUND"), "\(missing.out) \(missing.err)")
        #expect(try await server.terminate() == 0)
    }

    @Test func aWasmModelShowsWhatItDeclared() async throws {
        let server = try await ServerProcess()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let schema = directory.appendingPathComponent("schema.json")
        try Data(#"""
            {"actions": [{"type": "NOTE", "input": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}, "summary": "Notes the action."}],
             "stateSchemas": {"global": {"type": "object", "properties": {"last": {"type": "object"}}}}}
            """#.utf8).write(to: schema)
        let module = Self.repository.appendingPathComponent("examples/models/last-action.wat").path
        let added = try await runCLI([
            "models", "add", module, "--type", "example/last-action", "--version", "1", "--scopes", "global", "--schema", schema.path,
            "--server", server.base, "--data-dir", server.dataDirectory.path,
        ])
        #expect(added.status == 0, "\(added.out) \(added.err)")
        let model = try await http(.GET, "\(server.base)/reactor/v1/models/example/last-action")
        let version = try #require(model.json["versions"]?.arrayValue?.first)
        #expect(model.json["kind"] == "wasm")
        #expect(version["actions"] == [["type": "NOTE", "scope": "global", "summary": "Notes the action.",
                                        "input": ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]]])
        #expect(version["stateSchemas"]?["global"]?["properties"]?["last"] == ["type": "object"])

        // A declaration naming a scope the model does not have, or a schema that is not one: 422 naming the field.
        let admin = try server.adminToken()
        let wat = try String(contentsOfFile: module, encoding: .utf8)
        let badScope = try await http(.POST, "\(server.base)/reactor/v1/models", [
            "documentType": "example/other", "version": 1, "wat": .string(wat), "scopes": ["global"],
            "actions": [["type": "NOTE", "scope": "local"]],
        ], token: admin)
        #expect(badScope.status == 422 && badScope.json["error"]?["path"] == "actions[0].scope", "\(badScope.json)")
        let badSchema = try await http(.POST, "\(server.base)/reactor/v1/models", [
            "documentType": "example/other", "version": 1, "wat": .string(wat), "scopes": ["global"],
            "stateSchemas": ["global": ["type": "text"]],
        ], token: admin)
        #expect(badSchema.status == 422 && badSchema.json["error"]?["path"] == "stateSchemas.global.type", "\(badSchema.json)")
        #expect(try await server.terminate() == 0)
    }

    @Test func theAdminJobListShowsRecentJobs() async throws {
        let server = try await ServerProcess()
        let admin = try server.adminToken()
        let created = try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "slug": "jobs"])
        #expect(created.status == 201)
        let failed = try await http(.POST, "\(server.base)/reactor/v1/documents", ["documentType": "example/unknown"])
        #expect(failed.status == 202, "\(failed.json)")
        let failedID = try #require(failed.json["job"]?["id"]?.stringValue)
        _ = try await http(.GET, "\(server.base)/reactor/v1/jobs/\(failedID)?wait=true")
        let all = try await http(.GET, "\(server.base)/_admin/jobs", token: admin)
        let jobs = all.json["jobs"]?.arrayValue ?? []
        #expect(jobs.count == 2, "\(all.json)")
        #expect(jobs.first?["id"]?.stringValue == failedID, "newest first")
        let onlyFailed = try await http(.GET, "\(server.base)/_admin/jobs?status=FAILED&limit=5", token: admin)
        #expect(onlyFailed.json["jobs"]?.arrayValue?.map { $0["status"] } == ["FAILED"])
        #expect(onlyFailed.json["jobs"]?.arrayValue?.first?["error"]?["code"] == "UNKNOWN_DOCUMENT_TYPE", "\(onlyFailed.json)")
        let bad = try await http(.GET, "\(server.base)/_admin/jobs?status=DONE", token: admin)
        #expect(bad.status == 400 && bad.json["error"]?["path"] == "status", "\(bad.json)")
        #expect(try await http(.GET, "\(server.base)/_admin/jobs").status == 401)
        #expect(try await server.terminate() == 0)
    }
}
