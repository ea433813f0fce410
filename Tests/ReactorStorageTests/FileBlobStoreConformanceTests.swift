import Foundation
import ReactorCore
import ReactorStorage
import ReactorTesting
import Testing

@Suite("FileBlobStore conformance", .timeLimit(.minutes(3)))
struct FileBlobStoreConformanceTests {
    @Test(arguments: BlobStoreConformance.cases)
    func conformance(_ c: BlobStoreConformanceCase) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // Small chunks, so every object of the suite is read and written in several.
        try await c.run { try FileBlobStore(root: directory.file("blobs"), signer: .random(), chunkSize: 64 << 10) }
        // Whatever the case did, no temporary file is left behind.
        #expect(directory.files().filter { $0.hasPrefix("blobs/.tmp/") }.isEmpty)
    }
}
