import ReactorPostgres
import Testing

/// Runs the benchmark small, so that it keeps working; prints the figures and asserts nothing about speed.
@Suite("PostgresStore benchmark", .timeLimit(.minutes(10)))
struct PostgresStoreBenchmarkTests {
    @Test func benchmarkRuns() async throws {
        try await PostgresTestSupport.withStore("bench", poolSize: 8) { store in
            let report = try await PostgresStoreBenchmark.run(on: store, count: 400, concurrency: 8)
            print(report)
            #expect(report.count == 400)
            #expect(report.storeTransactions >= 1 && report.storeTransactions <= 400)
            #expect(try await store.latestOrdinal() > 0)
        }
    }
}
