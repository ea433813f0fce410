import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import ReactorCore
@testable import ReactorS3
import ReactorTesting
import Testing

/// `S3BlobStore` against a real S3 wire protocol: the shared `moto_server`.
@Suite("S3 blob store on moto", .timeLimit(.minutes(5)), .enabled(if: MotoTestServer.isEnabled, Comment(rawValue: MotoTestServer.skipReason)))
struct S3BlobStoreMotoTests {
    let bucket = try! BucketName("photos")

    @Test func bucketsCreateListAccessDelete() async throws {
        try await Moto.withStore { store in
            let created = try await store.createBucket(bucket, access: .public)
            #expect(created.name == bucket && created.access == .public)
            let other = try BucketName("other.bucket")
            _ = try await store.createBucket(other, access: .private)
            #expect(await errorCode { _ = try await store.createBucket(bucket, access: .private) } == .bucketExists)
            let listed = try await store.listBuckets()
            #expect(listed.map(\.name) == [other, bucket])
            #expect(listed.map(\.access) == [.private, .public])
            #expect(try await store.bucket(bucket) == created)
            try await store.put(BlobKey("a"), in: bucket, bytes: [1])
            #expect(await errorCode { try await store.deleteBucket(bucket) } == .bucketNotEmpty)
            try await store.delete(BlobKey("a"), in: bucket)
            try await store.deleteBucket(bucket)
            #expect(try await store.bucket(bucket) == nil)
            #expect(await errorCode { try await store.deleteBucket(bucket) } == .bucketNotFound)
            // An unfinished multipart upload keeps a bucket from being deleted.
            let upload = try await store.createMultipartUpload(BlobKey("big"), in: other, options: BlobPutOptions())
            #expect(await errorCode { try await store.deleteBucket(other) } == .bucketNotEmpty)
            try await store.abortMultipartUpload(upload, key: BlobKey("big"), in: other)
            try await store.deleteBucket(other)
        }
    }

    @Test func putGetHeadWithMetadataAndSHA256() async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let bytes = Array("hello, S3".utf8)
            let key = try BlobKey("dir/sub dir/ünïcode $&+ key.txt")
            let options = BlobPutOptions(contentType: "text/plain; charset=utf-8", metadata: ["owner": "ada", "note": "héllo wörld"])
            let stored = try await store.put(key, in: bucket, bytes: bytes, options: options)
            let sha = SHA256Hex.of(bytes)
            #expect(stored.size == Int64(bytes.count))
            #expect(stored.sha256 == sha)
            #expect(stored.contentType == "text/plain; charset=utf-8")
            #expect(stored.metadata == ["owner": "ada", "note": "héllo wörld"])
            #expect(stored.etag.hasPrefix("\"") && stored.etag.hasSuffix("\""))
            let head = try #require(try await store.head(key, in: bucket))
            #expect(head == stored)
            let download = try await store.get(key, in: bucket, range: nil)
            #expect(download.info == stored)
            #expect(!download.isPartial)
            #expect(try await download.body.collect(limit: 1 << 20) == bytes)
            #expect(try await store.head(BlobKey("missing"), in: bucket) == nil)
            #expect(await errorCode { _ = try await store.get(BlobKey("missing"), in: bucket, range: nil) } == .blobNotFound)
            let nowhere = try BucketName("nowhere")
            #expect(await errorCode { _ = try await store.head(key, in: nowhere) } == .bucketNotFound)
            #expect(await errorCode { _ = try await store.put(key, in: nowhere, bytes: bytes) } == .bucketNotFound)
            // Empty objects.
            let empty = try await store.put(BlobKey("empty"), in: bucket, bytes: [UInt8]())
            #expect(empty.size == 0 && empty.sha256 == SigV4Signer.emptyPayloadHash)
            #expect(try await store.bytes(BlobKey("empty"), in: bucket) == [])
        }
    }

    @Test(arguments: [true, false])
    func streamedBodiesOfKnownAndUnknownLength(announceLength: Bool) async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            // Over two parts when the length is unknown (8 MiB parts): a real multipart upload.
            let bytes = patternBytes(announceLength ? 3 << 20 : (17 << 20) + 123)
            let key = try BlobKey("stream.bin")
            let stored = try await store.put(key, in: bucket, body: chunkedBody(bytes, chunk: 64 << 10, announceLength: announceLength),
                                             options: BlobPutOptions(expectedSHA256: SHA256Hex.of(bytes).uppercased()))
            #expect(stored.size == Int64(bytes.count))
            #expect(stored.sha256 == SHA256Hex.of(bytes))
            var received = SHA256()
            var count = 0
            for try await buffer in try await store.get(key, in: bucket, range: nil).body {
                count += buffer.readableBytes
                buffer.withUnsafeReadableBytes { received.update(bufferPointer: $0) }
            }
            #expect(count == bytes.count)
            #expect(Array(received.finalize()) == Array(SHA256.hash(data: bytes)))
        }
    }

    @Test(arguments: [true, false])
    func badChecksumOrSizeStoresNothing(announceLength: Bool) async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let key = try BlobKey("guarded")
            try await store.put(key, in: bucket, bytes: Array("old".utf8))
            let bytes = patternBytes(200_000)
            let wrong = SHA256Hex.of(Array("other".utf8))
            let mismatch = await errorCode {
                _ = try await store.put(key, in: bucket, body: chunkedBody(bytes, chunk: 50_000, announceLength: announceLength),
                                        options: BlobPutOptions(expectedSHA256: wrong))
            }
            #expect(mismatch == .blobChecksumMismatch)
            let tooLarge = await errorCode {
                _ = try await store.put(key, in: bucket, body: chunkedBody(bytes, chunk: 50_000, announceLength: announceLength),
                                        options: BlobPutOptions(maxSize: 100_000))
            }
            #expect(tooLarge == .payloadTooLarge)
            let md5 = await errorCode {
                _ = try await store.put(key, in: bucket, body: chunkedBody(bytes, chunk: 50_000, announceLength: announceLength),
                                        options: BlobPutOptions(expectedMD5: Data(Insecure.MD5.hash(data: [1])).base64EncodedString()))
            }
            #expect(md5 == .blobChecksumMismatch)
            // The earlier object is untouched, and nothing else appeared.
            #expect(try await store.bytes(key, in: bucket) == Array("old".utf8))
            let listing = try await store.list(in: bucket, prefix: "", continuation: nil, limit: 100)
            #expect(listing.objects.map(\.key.rawValue) == ["guarded"])
            #expect(await errorCode { _ = try await store.put(key, in: bucket, bytes: [1], options: BlobPutOptions(expectedSHA256: "zz")) } == .invalidArgument)
            #expect(await errorCode { _ = try await store.put(key, in: bucket, bytes: [1], options: BlobPutOptions(metadata: ["Bad Key": "x"])) } == .invalidArgument)
        }
    }

    @Test func rangedGets() async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let bytes = patternBytes(1000)
            let key = try BlobKey("ranged")
            try await store.put(key, in: bucket, bytes: bytes)
            let cases: [(BlobByteRange, ClosedRange<Int64>)] = [
                (.from(10, through: 19), 10...19), (.from(990, through: nil), 990...999), (.suffix(5), 995...999),
                (.from(995, through: 5000), 995...999), (.suffix(5000), 0...999),
            ]
            for (range, expected) in cases {
                let download = try await store.get(key, in: bucket, range: range)
                #expect(download.isPartial, "\(range)")
                #expect(download.range == expected, "\(range)")
                #expect(download.info.size == 1000, "\(range)")
                let body = try await download.body.collect(limit: 2000)
                #expect(body == Array(bytes[Int(expected.lowerBound)...Int(expected.upperBound)]), "\(range)")
            }
            for range in [BlobByteRange.from(1000, through: nil), .from(5, through: 4), .suffix(0)] {
                #expect(await errorCode { _ = try await store.get(key, in: bucket, range: range) } == .rangeNotSatisfiable, "\(range)")
            }
        }
    }

    @Test func listingPagesByPrefix() async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let keys = (0..<7).map { "logs/\($0)" } + ["logsX", "other/1"]
            for key in keys { try await store.put(BlobKey(key), in: bucket, bytes: Array(key.utf8), options: BlobPutOptions(contentType: "text/plain")) }
            var seen: [String] = []
            var continuation: String?
            var pages = 0
            repeat {
                let page = try await store.list(in: bucket, prefix: "logs/", continuation: continuation, limit: 3)
                #expect(page.objects.count <= 3)
                #expect(page.objects.allSatisfy { $0.contentType == "text/plain" && $0.sha256 != nil })
                seen += page.objects.map(\.key.rawValue)
                continuation = page.nextContinuation
                pages += 1
            } while continuation != nil && pages < 10
            #expect(seen == (0..<7).map { "logs/\($0)" })
            #expect(pages == 3)
            let all = try await store.list(in: bucket, prefix: "", continuation: nil, limit: 1000)
            #expect(all.objects.map(\.key.rawValue) == keys.sorted())
            #expect(all.nextContinuation == nil)
            #expect(await errorCode { _ = try await store.list(in: bucket, prefix: "", continuation: nil, limit: 0) } == .invalidArgument)
            #expect(await errorCode { _ = try await store.list(in: BucketName("nowhere"), prefix: "", continuation: nil, limit: 10) } == .bucketNotFound)
        }
    }

    @Test func copyAndDelete() async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let archive = try BucketName("archive")
            _ = try await store.createBucket(archive, access: .private)
            let source = try BlobKey("src/a b.txt")
            let original = try await store.put(source, in: bucket, bytes: Array("copy me".utf8),
                                               options: BlobPutOptions(contentType: "text/plain", metadata: ["k": "v"]))
            let copy = try await store.copy(source, in: bucket, to: BlobKey("dst/c.txt"), in: archive)
            #expect(copy.bucket == archive && copy.size == original.size && copy.contentType == "text/plain")
            #expect(copy.metadata == ["k": "v"] && copy.sha256 == original.sha256)
            #expect(try await store.bytes(BlobKey("dst/c.txt"), in: archive) == Array("copy me".utf8))
            #expect(await errorCode { _ = try await store.copy(BlobKey("missing"), in: bucket, to: source, in: archive) } == .blobNotFound)
            #expect(await errorCode { _ = try await store.copy(source, in: bucket, to: source, in: BucketName("nowhere")) } == .bucketNotFound)
            #expect(try await store.delete(source, in: bucket))
            #expect(try await !store.delete(source, in: bucket))
            #expect(try await store.head(source, in: bucket) == nil)
        }
    }

    @Test func multipartUploads() async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let key = try BlobKey("multi.bin")
            let first = patternBytes(BlobStoreLimits.minimumPartSize, seed: 1)
            let second = patternBytes(1234, seed: 2)
            let upload = try await store.createMultipartUpload(key, in: bucket, options: BlobPutOptions(contentType: "application/x-test"))
            let one = try await store.uploadPart(upload, key: key, in: bucket, partNumber: 1, body: chunkedBody(first, chunk: 1 << 20, announceLength: true))
            let two = try await store.uploadPart(upload, key: key, in: bucket, partNumber: 2, body: chunkedBody(second, chunk: 1000, announceLength: false))
            #expect(one.size == Int64(first.count) && two.size == Int64(second.count))
            #expect(await errorCode { _ = try await store.completeMultipartUpload(upload, key: key, in: bucket, parts: [two, one]) } == .invalidPart)
            var wrong = two
            wrong.etag = "\"0123\""
            #expect(await errorCode { _ = try await store.completeMultipartUpload(upload, key: key, in: bucket, parts: [one, wrong]) } == .invalidPart)
            let info = try await store.completeMultipartUpload(upload, key: key, in: bucket, parts: [one, two])
            #expect(info.size == Int64(first.count + second.count))
            #expect(info.contentType == "application/x-test")
            #expect(info.sha256 == SHA256Hex.of(first + second))
            #expect(try await store.bytes(key, in: bucket, limit: 16 << 20) == first + second)
            // Aborted and unknown uploads.
            let aborted = try await store.createMultipartUpload(BlobKey("gone"), in: bucket, options: BlobPutOptions())
            try await store.abortMultipartUpload(aborted, key: BlobKey("gone"), in: bucket)
            #expect(await errorCode {
                _ = try await store.uploadPart(aborted, key: BlobKey("gone"), in: bucket, partNumber: 1, body: .bytes([1]))
            } == .uploadNotFound)
            #expect(await errorCode {
                _ = try await store.uploadPart(MultipartUploadID("nope"), key: key, in: bucket, partNumber: 0, body: .bytes([1]))
            } == .invalidArgument)
            #expect(try await store.head(BlobKey("gone"), in: bucket) == nil)
        }
    }

    @Test func multipartWithAWrongExpectedSHA256LeavesNoObject() async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let key = try BlobKey("claimed")
            let upload = try await store.createMultipartUpload(key, in: bucket, options: BlobPutOptions(expectedSHA256: SHA256Hex.of([9])))
            let part = try await store.uploadPart(upload, key: key, in: bucket, partNumber: 1, body: .bytes([1, 2, 3]))
            #expect(await errorCode { _ = try await store.completeMultipartUpload(upload, key: key, in: bucket, parts: [part]) } == .blobChecksumMismatch)
            #expect(try await store.head(key, in: bucket) == nil)
        }
    }

    @Test func presignedURLsReachTheObject() async throws {
        try await Moto.withStore { store in
            _ = try await store.createBucket(bucket, access: .private)
            let key = try BlobKey("shared/file.txt")
            try await store.put(key, in: bucket, bytes: Array("presigned".utf8))
            let signed = try await store.signedURL(.get, key: key, in: bucket, expiresIn: .seconds(60))
            #expect(signed.url.hasPrefix(try await MotoTestServer.shared() + "/"))
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: signed.url), timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(Array(try await response.body.collect(upTo: 1000).readableBytesView) == Array("presigned".utf8))
            let put = try await store.signedURL(.put, key: BlobKey("shared/up.txt"), in: bucket, expiresIn: .seconds(60))
            var request = HTTPClientRequest(url: put.url)
            request.method = .PUT
            request.body = .bytes(ByteBuffer(string: "uploaded"))
            let uploaded = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(uploaded.status == .ok)
            #expect(try await store.bytes(BlobKey("shared/up.txt"), in: bucket) == Array("uploaded".utf8))
        }
    }
}
