import Foundation
import ReactorCore
import ReactorMemory
import ReactorPostgres
import ReactorSQLite
import ReactorTesting
import Testing

@Suite("IdentityStore conformance", .timeLimit(.minutes(5)))
struct IdentityStoreConformanceTests {
    @Test(arguments: IdentityStoreConformance.cases)
    func inMemory(_ c: IdentityStoreConformance.Case) async throws {
        try await c.run(InMemoryIdentityStore())
    }

    @Test(arguments: IdentityStoreConformance.cases)
    func sqlite(_ c: IdentityStoreConformance.Case) async throws {
        try await withSQLiteIdentityStore { try await c.run($0) }
    }

    @Test(arguments: IdentityStoreConformance.cases)
    func postgres(_ c: IdentityStoreConformance.Case) async throws {
        try await withPostgresIdentityStore { try await c.run($0) }
    }
}

/// A migrated SQLite store in a fresh directory and its identity store.
func withSQLiteIdentityStore<T>(_ body: (SQLiteIdentityStore) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("identity-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SQLiteStore(path: directory.appendingPathComponent("reactor.sqlite").path)
    try await store.migrate()
    do {
        let result = try await body(SQLiteIdentityStore(store: store))
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// A migrated PostgreSQL store in a fresh schema of the shared test cluster and its identity store.
func withPostgresIdentityStore<T: Sendable>(_ body: (PostgresIdentityStore) async throws -> T) async throws -> T {
    let url = try await PostgresTestServer.shared()
    let configuration = try PostgresStoreConfiguration(url: url, schema: PostgresTestServer.uniqueName("identity"), poolSize: 4)
    return try await PostgresStore.withStore(configuration) { store in
        try await body(PostgresIdentityStore(store: store))
    }
}
