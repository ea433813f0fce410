import Foundation
import ReactorCore
import ReactorMemory
import ReactorPostgres
import ReactorSQLite
import ReactorTesting
import Testing

@Suite("ModelRecordStore conformance", .timeLimit(.minutes(5)))
struct ModelRecordStoreConformanceTests {
    @Test(arguments: ModelRecordStoreConformance.cases)
    func inMemory(_ c: ModelRecordStoreConformance.Case) async throws {
        try await c.run(InMemoryModelRecordStore())
    }

    @Test(arguments: ModelRecordStoreConformance.cases)
    func sqlite(_ c: ModelRecordStoreConformance.Case) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("reactor.sqlite").path)
        try await store.migrate()
        do {
            try await c.run(SQLiteModelRecordStore(store: store))
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
    }

    @Test(arguments: ModelRecordStoreConformance.cases)
    func postgres(_ c: ModelRecordStoreConformance.Case) async throws {
        let url = try await PostgresTestServer.shared()
        let configuration = try PostgresStoreConfiguration(url: url, schema: PostgresTestServer.uniqueName("models"), poolSize: 4)
        try await PostgresStore.withStore(configuration) { store in
            try await c.run(PostgresModelRecordStore(store: store))
        }
    }
}
