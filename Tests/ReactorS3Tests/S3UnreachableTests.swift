import Foundation
import ReactorCore
import ReactorS3
import ReactorTesting
import Testing

/// An S3 server that is not there, or never answers, is `STORAGE_UNAVAILABLE` naming the backend, within the
/// configured timeouts: never a hang.
@Suite("S3 blob store without a server", .timeLimit(.minutes(1)))
struct S3UnreachableTests {
    static func store(_ endpoint: String) throws -> S3BlobStore {
        try S3BlobStore(configuration: S3Configuration(
            endpoint: endpoint, credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b"),
            connectTimeout: .milliseconds(500), requestTimeout: .milliseconds(500)))
    }

    static func expectUnavailable(_ body: () async throws -> Void) async {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await body()
            Issue.record("the call succeeded")
        } catch let error as ReactorError {
            #expect(error.code == .storageUnavailable, "\(error)")
            #expect(error.details["backend"] == "s3")
            #expect(error.isTransient)
        } catch {
            Issue.record("not a ReactorError: \(error)")
        }
        // Bounded by the timeouts (0.5 s); the margin is wide because the whole test run shares two cores.
        #expect(clock.now - start < .seconds(60))
    }

    @Test func refusedConnection() async throws {
        let port = LoopbackPort.closed
        let store = try Self.store("http://127.0.0.1:\(port)")
        let bucket = try BucketName("bucket")
        await Self.expectUnavailable { _ = try await store.listBuckets() }
        await Self.expectUnavailable { _ = try await store.head(BlobKey("k"), in: bucket) }
        await Self.expectUnavailable { _ = try await store.put(BlobKey("k"), in: bucket, bytes: [1, 2, 3]) }
        try await store.shutdown()
    }

    @Test func silentServer() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let store = try Self.store(listener.url)
        let bucket = try BucketName("bucket")
        await Self.expectUnavailable { _ = try await store.head(BlobKey("k"), in: bucket) }
        await Self.expectUnavailable { _ = try await store.put(BlobKey("k"), in: bucket, bytes: [1, 2, 3]) }
        await Self.expectUnavailable { _ = try await store.get(BlobKey("k"), in: bucket, range: nil) }
        try await store.shutdown()
    }
}
