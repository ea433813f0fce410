import Foundation
import ReactorCore
import Testing

@Suite(.timeLimit(.minutes(10))) struct CommandLineTests {
    @Test func docCommandsRoundTripThroughTheDatabaseFile() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("cli.sqlite").path

        let created = try await runCLI(["doc", "create", "--db", db, "--type", "reactor/todo-list", "--slug", "groceries", "--name", "Groceries", "--json"])
        #expect(created.status == 0, "\(created.err)")
        let doc = try JSONValueCoder.parse(created.out)
        #expect(doc["header"]?["slug"] == "groceries")
        let id = try #require(doc["header"]?["id"]?.stringValue)

        let exec = try await runCLI(["doc", "exec", "groceries", "--db", db, "--action", "ADD_TODO", "--input", #"{"id":"1","text":"milk"}"#, "--json"])
        #expect(exec.status == 0, "\(exec.err)")
        #expect(try JSONValueCoder.parse(exec.out)["state"]?["global"]?["items"]?.arrayValue?.count == 1)

        let get = try await runCLI(["doc", "get", id, "--db", db, "--json"])
        #expect(try JSONValueCoder.parse(get.out)["header"]?["revision"]?["global"] == 1)

        let ops = try await runCLI(["doc", "ops", "groceries", "--db", db, "--json"])
        #expect(try JSONValueCoder.parse(ops.out)["items"]?.arrayValue?.count == 2)

        let ls = try await runCLI(["doc", "ls", "--db", db, "--type", "reactor/todo-list"])
        #expect(ls.out.contains(id))

        // Errors: typed, on stderr, with meaningful exit codes.
        let missing = try await runCLI(["doc", "get", "nope", "--db", db, "--json"])
        #expect(missing.status == 3)
        #expect(try JSONValueCoder.parse(missing.err)["error"]?["code"] == "DOCUMENT_NOT_FOUND")
        let badInput = try await runCLI(["doc", "exec", "groceries", "--db", db, "--action", "ADD_TODO", "--input", #"{"id":1}"#])
        #expect(badInput.status == 4)
        #expect(badInput.err.contains("INVALID_INPUT"))
        let usage = try await runCLI(["doc", "exec", "groceries", "--db", db])
        #expect(usage.status != 0)
    }

    /// The CLI refuses the identifiers the HTTP API refuses, with the same code and message (one rule in ReactorCore;
    /// `DocumentRouteTests.identifiersFollowOneRule` checks the HTTP side against the same messages).
    @Test func identifiersAreRefusedLikeOverHTTP() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("ids.sqlite").path
        for (flag, value, rule) in [("--id", "a/b", Identifiers.documentID), ("--id", "a b", Identifiers.documentID),
                                    ("--id", "x\u{202E}y", Identifiers.documentID), ("--id", "..", Identifiers.documentID),
                                    ("--slug", "no spaces!", Identifiers.slug)] {
            let expected = try #require(throws: ReactorError.self) { try rule.check(value, path: "") }
            let result = try await runCLI(["doc", "create", "--db", db, "--type", "reactor/todo-list", flag, value, "--json"])
            #expect(result.status == 4, "\(value): \(result.err)")
            let error = try JSONValueCoder.parse(result.err)["error"]
            #expect(error?["code"] == "INVALID_INPUT")
            #expect(error?["message"]?.stringValue == expected.message)
        }
        let ls = try await runCLI(["doc", "ls", "--db", db, "--json"])
        #expect(try JSONValueCoder.parse(ls.out)["items"]?.arrayValue?.isEmpty ?? false, "nothing was created: \(ls.out)")
    }

    @Test func demoRunsOnAFreshDatabase() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("demo.sqlite").path
        let first = try await runCLI(["demo", "--db", db])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("[x] bread"))
        let second = try await runCLI(["demo", "--db", db])
        #expect(second.out.contains("now holds 2 file(s)"))
    }
}
