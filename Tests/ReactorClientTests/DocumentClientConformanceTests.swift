import ReactorCore
import ReactorSQLite
import ReactorTesting
import Testing

/// The ``DocumentClientConformance`` suite on every client: in process over memory and SQLite, and remote over the
/// HTTP server on a real loopback port.
@Suite("DocumentClient conformance", .timeLimit(.minutes(5)))
struct DocumentClientConformanceTests {
    @Test("in process, memory", arguments: DocumentClientConformance.cases)
    func inProcessMemory(_ c: DocumentClientConformanceCase) async throws {
        try await withInProcessClient { client in try await c.run(client) }
    }

    @Test("in process, SQLite", arguments: DocumentClientConformance.cases)
    func inProcessSQLite(_ c: DocumentClientConformanceCase) async throws {
        try await withInProcessClient(store: try SQLiteStore(path: try temporarySQLitePath())) { client in try await c.run(client) }
    }

    @Test("remote, HTTP server", arguments: DocumentClientConformance.cases)
    func remote(_ c: DocumentClientConformanceCase) async throws {
        try await withServer { server in
            try await addUnreachableRemote(server.module)
            try await c.run(server.client())
        }
    }
}
