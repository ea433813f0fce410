// PostgreSQL server tests: only when the binary links PostgreSQL (the default `Postgres` trait).
#if Postgres
import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// `reactor serve` on PostgreSQL selected by URL: `reactor migrate`, then two server processes (two nodes) on one
/// database; a write on one node is readable on the other with its consistency token.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PostgresServerTests {
    @Test(.timeLimit(.minutes(5)))
    func twoNodesOnOneDatabase() async throws {
        let url = try await PostgresTestServer.createDatabase("serve")
        let env = ["REACTOR_STORE__BACKEND": "postgres", "REACTOR_STORE__URL": url, "REACTOR_VAULT__BACKEND": "none"]

        let migrated = try await runCLIWithEnvironment(["migrate", "--data-dir", try temporaryDirectory().path], env)
        #expect(migrated.status == 0, "\(migrated.err)")
        let doctor = try await runCLIWithEnvironment(["doctor", "--json", "--data-dir", try temporaryDirectory().path], env)
        #expect(doctor.status == 0, "\(doctor.out) \(doctor.err)")

        let node1 = try await ServerProcess(environment: env)
        let node2 = try await ServerProcess(environment: env)
        defer {
            try? FileManager.default.removeItem(at: node1.directory)
            try? FileManager.default.removeItem(at: node2.directory)
        }
        #expect(node1.standardOutput.contains("listening"))

        let created = try await http(.POST, "\(node1.base)/reactor/v1/documents?wait=true",
                                     ["documentType": "reactor/todo-list", "id": "shared", "slug": "shared-list"])
        #expect(created.status == 201, "\(created.json)")
        let written = try await http(.POST, "\(node1.base)/reactor/v1/documents/shared/actions?wait=true",
                                     ["actions": [["id": "a1", "type": "ADD_TODO", "input": ["id": "1", "text": "from node 1"]]]])
        let token = try #require(written.json["job"]?["token"]?.stringValue)

        let read = try await http(.GET, "\(node2.base)/reactor/v1/documents/shared-list?consistencyToken=\(token)")
        #expect(read.status == 200, "\(read.json)")
        #expect(read.json["state"]?["global"]?["items"]?.arrayValue?.first?["text"]?.stringValue == "from node 1")

        let ops = try await http(.GET, "\(node2.base)/reactor/v1/documents/shared/operations")
        #expect(ops.json["items"]?.arrayValue?.count == 2)

        #expect(try await node2.terminate() == 0)
        #expect(try await node1.terminate() == 0)
    }
}
#endif
