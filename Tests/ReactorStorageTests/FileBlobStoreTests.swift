import Foundation
import NIOCore
import ReactorCore
import ReactorStorage
import ReactorTesting
import Testing

@Suite("FileBlobStore", .timeLimit(.minutes(2)))
struct FileBlobStoreTests {
    let directory = TemporaryDirectory()
    var root: String { directory.file("blobs") }

    func makeStore() throws -> FileBlobStore { try FileBlobStore(root: root, signer: .random(), chunkSize: 4096) }

    @Test func objectsSurviveReopening() async throws {
        defer { directory.remove() }
        let bucket = try BucketName("keep")
        do {
            let store = try makeStore()
            _ = try await store.createBucket(bucket, access: .public)
            try await store.put(try BlobKey("a/b.txt"), in: bucket, bytes: Array("hello".utf8), options: BlobPutOptions(contentType: "text/plain"))
        }
        let reopened = try makeStore()
        let info = try await reopened.head(try BlobKey("a/b.txt"), in: bucket)
        #expect(info?.contentType == "text/plain")
        #expect(try await reopened.bytes(try BlobKey("a/b.txt"), in: bucket) == Array("hello".utf8))
        #expect(try await reopened.bucket(bucket)?.access == .public)
    }

    @Test func fileNamesNeverComeFromKeys() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let bucket = try BucketName("names")
        _ = try await store.createBucket(bucket, access: .private)
        try await store.put(try BlobKey("..a/b c/ü..txt"), in: bucket, bytes: [1, 2, 3])
        for file in directory.files() {
            #expect(!file.contains("..a") && !file.contains("ü"), "a file is named after the key: \(file)")
            #expect(file.hasPrefix("blobs/"), "a file outside the root: \(file)")
        }
    }

    @Test func aBucketDirectoryThatIsALinkIsNotFollowed() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let outside = directory.file("outside")
        try FileManager.default.createDirectory(atPath: outside + "/objects", withIntermediateDirectories: true)
        try Data("{\"access\":\"public\",\"createdAt\":0}".utf8).write(to: URL(fileURLWithPath: outside + "/bucket.json"))
        try FileManager.default.createSymbolicLink(atPath: root + "/evil", withDestinationPath: outside)
        let bucket = try BucketName("evil")
        #expect(try await store.bucket(bucket) == nil)
        await #expect(throws: ReactorError.self) { try await store.put(try BlobKey("x"), in: bucket, bytes: [1]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside + "/objects").isEmpty, "a put wrote through the link")
        #expect(try await store.listBuckets().isEmpty)
    }

    @Test func aSidecarPointingAtALinkIsNotRead() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let bucket = try BucketName("linked")
        _ = try await store.createBucket(bucket, access: .private)
        let info = try await store.put(try BlobKey("k"), in: bucket, bytes: [1, 2, 3])
        #expect(info.size == 3)
        // Replace the object's data file with a link to a file outside the root.
        let secret = directory.file("secret.txt")
        try Data("top secret".utf8).write(to: URL(fileURLWithPath: secret))
        let data = directory.files().first { $0.hasSuffix(".data") }!
        try FileManager.default.removeItem(atPath: directory.file(data))
        try FileManager.default.createSymbolicLink(atPath: directory.file(data), withDestinationPath: secret)
        await #expect(throws: ReactorError.self) { _ = try await store.bytes(try BlobKey("k"), in: bucket) }
    }

    @Test func aFailedPutLeavesNoFile() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let bucket = try BucketName("fail")
        _ = try await store.createBucket(bucket, access: .private)
        let before = directory.files()
        struct Dropped: Error {}
        // A body whose source fails midway (a dropped connection).
        let failing = BlobBody(FailingBody(chunks: 5, error: Dropped()))
        await #expect(throws: Dropped.self) { try await store.put(try BlobKey("k"), in: bucket, body: failing, options: BlobPutOptions()) }
        await #expect(throws: ReactorError.self) {
            try await store.put(try BlobKey("k"), in: bucket, bytes: [UInt8](repeating: 1, count: 10_000), options: BlobPutOptions(maxSize: 100))
        }
        #expect(directory.files() == before)
        #expect(try await store.head(try BlobKey("k"), in: bucket) == nil)
    }

    @Test func anOverwriteRemovesTheOldDataFile() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let bucket = try BucketName("over")
        _ = try await store.createBucket(bucket, access: .private)
        for round in 0..<5 { try await store.put(try BlobKey("k"), in: bucket, bytes: [UInt8](repeating: UInt8(round), count: 100)) }
        #expect(directory.files().filter { $0.hasSuffix(".data") }.count == 1)
        try await store.delete(try BlobKey("k"), in: bucket)
        #expect(directory.files().filter { $0.hasPrefix("blobs/over/objects") }.isEmpty)
    }

    @Test func concurrentWritersOfOneKeyLeaveOneObject() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let bucket = try BucketName("race")
        _ = try await store.createBucket(bucket, access: .private)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask { try await store.put(try BlobKey("k"), in: bucket, bytes: [UInt8](repeating: UInt8(writer), count: 20_000)) }
            }
            try await group.waitForAll()
        }
        let bytes = try await store.bytes(try BlobKey("k"), in: bucket)
        #expect(bytes.count == 20_000 && Set(bytes).count == 1)
        #expect(directory.files().filter { $0.hasSuffix(".data") }.count == 1)
    }

    @Test func aReaderKeepsItsVersionWhileTheObjectIsReplaced() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let bucket = try BucketName("read")
        _ = try await store.createBucket(bucket, access: .private)
        let old = [UInt8](repeating: 7, count: 50_000)
        try await store.put(try BlobKey("k"), in: bucket, bytes: old)
        let download = try await store.get(try BlobKey("k"), in: bucket, range: nil)
        try await store.put(try BlobKey("k"), in: bucket, bytes: [UInt8](repeating: 8, count: 10))
        try await store.delete(try BlobKey("k"), in: bucket)
        #expect(try await download.body.collect(limit: 1 << 20) == old)
    }

    @Test func uploadIDsCannotNameAPath() async throws {
        defer { directory.remove() }
        let store = try makeStore()
        let bucket = try BucketName("ids")
        _ = try await store.createBucket(bucket, access: .private)
        for id in ["../../etc", "..", "/tmp", "ABCDEF0123456789ABCDEF0123456789", "x"] {
            await #expect(throws: ReactorError.self) {
                try await store.abortMultipartUpload(MultipartUploadID(id), key: try BlobKey("k"), in: bucket)
            }
        }
        let upload = try await store.createMultipartUpload(try BlobKey("k"), in: bucket, options: BlobPutOptions())
        #expect(directory.files().contains { $0.hasPrefix("blobs/.uploads/\(upload.rawValue)/") })
        try await store.abortMultipartUpload(upload, key: try BlobKey("k"), in: bucket)
        #expect(!directory.files().contains { $0.hasPrefix("blobs/.uploads/") })
    }
}

/// A body that yields `chunks` buffers and then fails.
struct FailingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: Int
    let error: any Error & Sendable
    func makeAsyncIterator() -> Iterator { Iterator(left: chunks, error: error) }
    struct Iterator: AsyncIteratorProtocol {
        var left: Int
        let error: any Error & Sendable
        mutating func next() async throws -> ByteBuffer? {
            guard left > 0 else { throw error }
            left -= 1
            return ByteBuffer(bytes: [UInt8](repeating: 9, count: 3000))
        }
    }
}
