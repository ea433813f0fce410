import Foundation
import ReactorCore
import Testing

/// `reactor doc get --revision/--at` and `reactor doc diff` (issue 17) on a database file.
@Suite(.timeLimit(.minutes(10))) struct TimeTravelCommandTests {
    @Test func docGetTravelsAndDocDiffPatches() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("travel.sqlite").path
        #expect(try await runCLI(["doc", "create", "--db", db, "--type", "reactor/todo-list", "--slug", "groceries", "--json"]).status == 0)
        for (i, text) in ["milk", "eggs", "bread"].enumerated() {
            let exec = try await runCLI(["doc", "exec", "groceries", "--db", db, "--action", "ADD_TODO", "--input", #"{"id":"\#(i)","text":"\#(text)"}"#])
            #expect(exec.status == 0, "\(exec.err)")
        }
        func items(_ output: String) throws -> Int? { try JSONValueCoder.parse(output)["state"]?["global"]?["items"]?.arrayValue?.count }

        let atOne = try await runCLI(["doc", "get", "groceries", "--db", db, "--revision", "global:1", "--json"])
        #expect(atOne.status == 0, "\(atOne.err)")
        #expect(try items(atOne.out) == 1)
        #expect(try JSONValueCoder.parse(atOne.out)["header"]?["revision"]?["global"] == 1)

        // The first operation's moment, as milliseconds and as RFC 3339.
        let ops = try JSONValueCoder.parse(try await runCLI(["doc", "ops", "groceries", "--db", db, "--scope", "global", "--json"]).out)
        let first = try #require(ops["items"]?.arrayValue?.first?["operation"]?["timestamp"]?.doubleValue.map(Int64.init))
        for at in [String(first), Clock.iso8601(first)] {
            let reply = try await runCLI(["doc", "get", "groceries", "--db", db, "--at", at, "--json"])
            #expect(reply.status == 0, "\(at): \(reply.err)")
            #expect(try JSONValueCoder.parse(reply.out)["header"]?["revision"]?["global"]?.intValue ?? 0 >= 1, "\(at): \(reply.out.prefix(400))")
        }
        let text = try await runCLI(["doc", "get", "groceries", "--db", db, "--revision", "global:2"])
        #expect(text.out.contains("global=2"), "\(text.out)")

        let diff = try await runCLI(["doc", "diff", "groceries", "--db", db, "--scope", "global", "--from", "1", "--to", "3", "--json"])
        #expect(diff.status == 0, "\(diff.err)")
        let parsed = try JSONValueCoder.decode(DocumentDiff.self, from: try JSONValueCoder.parse(diff.out))
        #expect(parsed.from == 1 && parsed.to == 3 && parsed.scope == "global")
        let from = try JSONValueCoder.parse(atOne.out)["state"]?["global"] ?? .null
        let now = try JSONValueCoder.parse(try await runCLI(["doc", "get", "groceries", "--db", db, "--json"]).out)["state"]?["global"]
        #expect(try JSONPatch.apply(parsed.patch, to: from) == now)
        let plain = try await runCLI(["doc", "diff", "groceries", "--db", db, "--from", "3", "--to", "1"])
        #expect(plain.status == 0 && plain.out.contains(#""op":"remove""#), "\(plain.out)")

        // Errors: typed, on stderr, exit 4 for a bad point.
        for arguments in [["get", "groceries", "--revision", "global:9"], ["get", "groceries", "--at", "yesterday"],
                          ["get", "groceries", "--at", "0"], ["diff", "groceries", "--from", "0", "--to", "9"],
                          ["diff", "groceries", "--scope", "nope", "--from", "0", "--to", "1"]] {
            let reply = try await runCLI(["doc"] + arguments + ["--db", db, "--json"])
            #expect(reply.status == 4, "\(arguments): \(reply.err)")
            #expect(try JSONValueCoder.parse(reply.err)["error"]?["code"] == "INVALID_ARGUMENT", "\(arguments)")
        }
        let both = try await runCLI(["doc", "get", "groceries", "--db", db, "--at", "1", "--revision", "global:1"])
        #expect(both.status != 0 && both.err.contains("either --at or --revision"))
    }
}
