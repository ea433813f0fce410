import Foundation
import ReactorCore
import ReactorMemory
import ReactorPostgres
import ReactorSQLite
import ReactorTesting
import Testing

@Suite("FunctionStore conformance", .timeLimit(.minutes(5)))
struct FunctionStoreConformanceTests {
    @Test(arguments: FunctionStoreConformance.cases)
    func inMemory(_ c: FunctionStoreConformance.Case) async throws {
        try await c.run(InMemoryFunctionStore())
    }

    @Test(arguments: FunctionStoreConformance.cases)
    func sqlite(_ c: FunctionStoreConformance.Case) async throws {
        try await withSQLiteFunctionStore { try await c.run($0) }
    }

    @Test(arguments: FunctionStoreConformance.cases)
    func postgres(_ c: FunctionStoreConformance.Case) async throws {
        try await withPostgresFunctionStore { try await c.run($0) }
    }
}

/// A migrated SQLite store in a fresh directory and its function store.
func withSQLiteFunctionStore<T>(_ body: (SQLiteFunctionStore) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("functions-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SQLiteStore(path: directory.appendingPathComponent("reactor.sqlite").path)
    try await store.migrate()
    do {
        let result = try await body(SQLiteFunctionStore(store: store))
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// A migrated PostgreSQL store in a fresh schema of the shared test cluster and its function store.
func withPostgresFunctionStore<T: Sendable>(_ body: (PostgresFunctionStore) async throws -> T) async throws -> T {
    let url = try await PostgresTestServer.shared()
    let configuration = try PostgresStoreConfiguration(url: url, schema: PostgresTestServer.uniqueName("functions"), poolSize: 4)
    return try await PostgresStore.withStore(configuration) { store in
        try await body(PostgresFunctionStore(store: store))
    }
}
