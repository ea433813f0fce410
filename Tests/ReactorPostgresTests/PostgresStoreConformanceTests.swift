import ReactorCore
import ReactorPostgres
import ReactorTesting
import Testing

@Suite("PostgresStore conformance", .timeLimit(.minutes(10)))
struct PostgresStoreConformanceTests {
    /// Every case on one store in a fresh schema.
    @Test(arguments: StoreConformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        try await PostgresTestSupport.withStore("conf") { store in try await c.run(store) }
    }

    /// Every case on two stores (two nodes) sharing one schema, calls alternating between them: racing commits come
    /// from different nodes.
    @Test(arguments: StoreConformance.cases)
    func conformanceOnTwoNodes(_ c: ConformanceCase) async throws {
        let configuration = try await PostgresTestSupport.configuration("conf2")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            try await c.run(TwoNodeStore(stores[0], stores[1]))
        }
    }
}
