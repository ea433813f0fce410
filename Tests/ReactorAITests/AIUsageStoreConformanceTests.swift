import Foundation
import ReactorCore
import ReactorMemory
import ReactorPostgres
import ReactorSQLite
import ReactorTesting
import Testing

@Suite("AIUsageStore conformance", .timeLimit(.minutes(5)))
struct AIUsageStoreConformanceTests {
    @Test(arguments: AIUsageStoreConformance.cases)
    func inMemory(_ c: AIUsageStoreConformance.Case) async throws {
        try await c.run(InMemoryAIUsageStore())
    }

    @Test(arguments: AIUsageStoreConformance.cases)
    func sqlite(_ c: AIUsageStoreConformance.Case) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ai-usage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("reactor.sqlite").path)
        try await store.migrate()
        do {
            try await c.run(SQLiteAIUsageStore(store: store))
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
    }

    @Test(arguments: AIUsageStoreConformance.cases)
    func postgres(_ c: AIUsageStoreConformance.Case) async throws {
        let url = try await PostgresTestServer.shared()
        let configuration = try PostgresStoreConfiguration(url: url, schema: PostgresTestServer.uniqueName("ai_usage"), poolSize: 4)
        try await PostgresStore.withStore(configuration) { store in
            try await c.run(PostgresAIUsageStore(store: store))
        }
    }
}
