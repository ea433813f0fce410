import ReactorCore
import ReactorSQLite
import ReactorTesting
import Testing

@Suite("SQLiteStore conformance", .timeLimit(.minutes(3)))
struct SQLiteStoreConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("nested/dirs/store.sqlite"))
        try await store.migrate()
        do {
            try await c.run(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test(arguments: StoreConformance.cases.filter { $0.name.hasPrefix("race") || $0.name.contains("atomic") })
    func conformanceWithFullDurability(_ c: ConformanceCase) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("store.sqlite"), configuration: .init(durability: .full))
        try await store.migrate()
        try await c.run(store)
        try await store.close()
    }
}
