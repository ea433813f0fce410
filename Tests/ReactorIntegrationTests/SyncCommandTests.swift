import Foundation
import ReactorCore
import Testing

/// `reactor sync …` against two `reactor serve` processes (in-memory stores) on loopback.
@Suite(.timeLimit(.minutes(5))) struct SyncCommandTests {
    static let memory = ["REACTOR_STORE__BACKEND": "memory", "REACTOR_SYNC__LONG_POLL_SECONDS": "2", "REACTOR_SYNC__RETRY_MAX_SECONDS": "1"]

    @Test func addListStatusPullPauseResumeRemove() async throws {
        let a = try await ServerProcess(environment: Self.memory)
        let b = try await ServerProcess(environment: Self.memory)
        // The CLI finds A by --server and its credential in A's data directory.
        func sync(_ arguments: [String], env: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String) {
            try await runCLIWithEnvironment(["sync"] + arguments + ["--server", a.base, "--data-dir", a.dataDirectory.path], env)
        }

        let added = try await sync(["add", "b", b.base, "--document-type", "reactor/todo-list", "--pull", "manual", "--no-push",
                                    "--token", "env:SYNC_TOKEN_UNUSED_BY_B", "--since", "2020-01-01T00:00:00Z"])
        #expect(added.status == 0, "\(added.err)")
        #expect(added.out.contains("added b → \(b.base)"), "\(added.out)")
        // With a token reference that A cannot resolve, the remote stops in the error state: replace it by one without.
        #expect(try await sync(["rm", "b"]).status == 0)
        let again = try await sync(["add", "b", b.base, "--document-type", "reactor/todo-list", "--pull", "manual", "--no-push",
                                    "--since", "2020-01-01T00:00:00Z"])
        #expect(again.status == 0, "\(again.err)")

        let listed = try await sync(["ls", "--json"])
        #expect(listed.status == 0, "\(listed.err)")
        let items = try JSONValueCoder.parse(listed.out)["items"]?.arrayValue ?? []
        #expect(items.count == 1)
        #expect(items.first?["options"]?["pull"]?.stringValue == "manual")
        #expect(items.first?["options"]?["push"] == .bool(false))
        #expect(items.first?["options"]?["since"]?.intValue == 1_577_836_800_000)
        #expect(items.first?["filter"]?["documentTypes"] == .array(["reactor/todo-list"]))

        // Written on B; A gets it when asked to pull.
        let created = try await http(.POST, b.base + "/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "from-b"])
        #expect(created.status == 201)
        let pulled = try await sync(["pull", "b", "--timeout", "20"])
        #expect(pulled.status == 0, "\(pulled.err)")
        #expect(pulled.out.contains("pulled b"), "\(pulled.out)")
        #expect(try await http(.GET, a.base + "/reactor/v1/documents/from-b").status == 200)

        let status = try await sync(["status", "b"])
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains("state:        connected"), "\(status.out)")
        #expect(status.out.contains("token:        none"), "\(status.out)")

        let paused = try await sync(["pause", "b"])
        #expect(paused.out.contains("paused b (paused)"), "\(paused.out) \(paused.err)")
        let resumed = try await sync(["resume", "b"])
        #expect(resumed.status == 0, "\(resumed.err)")
        let all = try await sync(["status"])
        #expect(all.out.contains("b\n  url:          \(b.base)"), "\(all.out)")

        #expect(try await sync(["rm", "b"]).out.contains("removed b"))
        let missing = try await sync(["rm", "b"])
        #expect(missing.status == 3, "\(missing.err)")
        #expect(missing.err.contains("REMOTE_NOT_FOUND"), "\(missing.err)")
        let taken = try await sync(["add", "c", "ftp://c"])
        #expect(taken.status == 4, "\(taken.err)")

        // Without A's credential: 401, exit 6.
        let anonymous = try await runCLIWithEnvironment(["sync", "ls", "--server", a.base, "--data-dir", b.directory.appendingPathComponent("none").path], [:])
        #expect(anonymous.status == 6, "\(anonymous.err)")
        #expect(try await a.terminate() == 0)
        #expect(try await b.terminate() == 0)
        // Nobody there any more: exit 69.
        let nobody = try await runCLIWithEnvironment(["sync", "ls", "--server", b.base, "--api-token", "x"], [:])
        #expect(nobody.status == 69, "\(nobody.err)")
        #expect(nobody.err.contains("PEER_UNAVAILABLE"), "\(nobody.err)")
    }
}
