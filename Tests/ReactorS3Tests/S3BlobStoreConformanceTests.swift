import Foundation
import ReactorCore
import ReactorS3
import ReactorTesting
import Testing

/// The shared `BlobStoreConformance` suite on `S3BlobStore` against the shared `moto_server`: every case gets a store
/// with its own bucket prefix, on one process-wide HTTP client (nothing to shut down per case).
@Suite("S3 blob store conformance", .timeLimit(.minutes(5)), .enabled(if: MotoTestServer.isEnabled, Comment(rawValue: MotoTestServer.skipReason)))
struct S3BlobStoreConformanceTests {
    @Test(arguments: BlobStoreConformance.cases)
    func conformance(_ c: BlobStoreConformanceCase) async throws {
        let endpoint = try await MotoTestServer.shared()
        let configuration = S3Configuration(
            endpoint: endpoint, credentials: Moto.credentials, bucketPrefix: "c\(UUID().uuidString.lowercased().prefix(8))-")
        try await c.run { try S3BlobStore(configuration: configuration, httpClient: S3BlobStore.sharedClient(for: configuration)) }
    }
}
