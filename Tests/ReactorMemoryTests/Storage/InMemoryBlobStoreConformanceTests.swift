import ReactorCore
import ReactorMemory
import ReactorTesting
import Testing

@Suite("InMemoryBlobStore conformance", .timeLimit(.minutes(3)))
struct InMemoryBlobStoreConformanceTests {
    @Test(arguments: BlobStoreConformance.cases)
    func conformance(_ c: BlobStoreConformanceCase) async throws {
        try await c.run { InMemoryBlobStore() }
    }
}
