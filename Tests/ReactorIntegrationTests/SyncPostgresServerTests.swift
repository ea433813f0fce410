// Sync with a PostgreSQL reactor on one side: only when the binary links PostgreSQL (the default `Postgres` trait).
#if Postgres
import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// A reactor on PostgreSQL and one on SQLite, syncing over HTTP: concurrent writes on both converge.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SyncPostgresServerTests {
    @Test func aPostgresReactorAndASQLiteReactorConverge() async throws {
        let url = try await PostgresTestServer.createDatabase("sync")
        let postgres = try await ServerProcess(environment: [
            "REACTOR_STORE__BACKEND": "postgres", "REACTOR_STORE__URL": url, "REACTOR_VAULT__BACKEND": "none",
        ])
        let sqlite = try await ServerProcess()
        defer { for s in [postgres, sqlite] { try? FileManager.default.removeItem(at: s.directory) } }
        // The remote on the PostgreSQL side: its sync state lives in PostgreSQL.
        try await SyncServerTests.addRemote(on: postgres, name: "edge", peer: sqlite.base)
        let created = try await http(.POST, "\(sqlite.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "list"])
        #expect(created.status == 201, "\(created.json)")
        try await eventually("the list reaches PostgreSQL", timeout: .seconds(30)) { try await SyncServerTests.items(postgres, "list") == [] }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await SyncServerTests.write(postgres, "list", prefix: "pg", count: 9) }
            group.addTask { try await SyncServerTests.write(sqlite, "list", prefix: "lite", count: 9) }
            try await group.waitForAll()
        }
        try await eventually("both hold the 18 writes in one order", timeout: .seconds(60)) {
            let a = try await SyncServerTests.items(postgres, "list") ?? [], b = try await SyncServerTests.items(sqlite, "list") ?? []
            return a.count == 18 && a == b
        }
        let hashes = [try await SyncServerTests.hash(postgres, "list"), try await SyncServerTests.hash(sqlite, "list")]
        #expect(hashes[0] != nil && hashes[0] == hashes[1])
        let status = try await http(.GET, "\(postgres.base)/reactor/v1/sync/remotes/edge", token: try postgres.adminToken())
        #expect(status.json["state"]?.stringValue == "connected", "\(status.json)")
        #expect(try await sqlite.terminate() == 0)
        #expect(try await postgres.terminate() == 0)
    }
}
#endif
