import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ReactorCore
import ReactorMemory
import ReactorServer
import ReactorStorage
import ReactorTesting
import Synchronization
import Testing

/// `/storage/v1` through a real port: buckets, streamed objects, ranges, conditional GETs, listings, checksums, size
/// limits, path traversal, signed URLs and auth.
@Suite("Storage routes", .timeLimit(.minutes(3)))
struct StorageRouteTests {
    let directory = StorageTestDirectory()

    func fileStore(now: @escaping @Sendable () -> Date = { Date() }) throws -> FileBlobStore {
        try FileBlobStore(root: directory.path + "/blobs", signer: .random(now: now), chunkSize: 64 << 10, now: now)
    }

    func put(_ client: some TestClientProtocol, _ path: String, _ bytes: [UInt8], token: String? = nil,
             headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        if let token { headers[.authorization] = "Bearer \(token)" }
        for field in extra { headers[field.name] = field.value }
        return try await client.execute(uri: path, method: .put, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
            let text = String(buffer: response.body)
            return Reply(status: response.status, headers: response.headers, json: (try? JSONValueCoder.parse(text)) ?? .null, text: text)
        }
    }

    func fetch(_ client: some TestClientProtocol, _ path: String, method: HTTPRequest.Method = .get, token: String? = nil,
               headers extra: HTTPFields = [:]) async throws -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        for field in extra { headers[field.name] = field.value }
        return try await client.execute(uri: path, method: method, headers: headers, body: nil) { response in
            (response.status, response.headers, Array(response.body.readableBytesView))
        }
    }

    @Test func bucketsAreCreatedListedAndDeletedWhenEmpty() async throws {
        defer { directory.remove() }
        try await withTestServer(setup: .live, blobs: try fileStore()) { client, _, _ in
            let created = try await client.call(.post, "/storage/v1/buckets", json: ["name": "photos", "public": true])
            #expect(created.status == .created)
            #expect(created.json["access"] == "public")
            #expect(try await client.call(.post, "/storage/v1/buckets", json: ["name": "photos"]).errorCode == "BUCKET_EXISTS")
            #expect(try await client.call(.post, "/storage/v1/buckets", json: ["name": "Bad_Name"]).errorCode == "INVALID_BLOB_KEY")
            _ = try await client.call(.post, "/storage/v1/buckets", json: ["name": "docs"])
            let list = try await client.call(.get, "/storage/v1/buckets")
            #expect(list.json["buckets"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["docs", "photos"])
            #expect(try await client.call(.get, "/storage/v1/buckets/docs").json["public"] == false)
            #expect(try await put(client, "/storage/v1/buckets/docs/objects/a.txt", [1]).status == .ok)
            let full = try await client.call(.delete, "/storage/v1/buckets/docs")
            #expect(full.status == .conflict && full.errorCode == "BUCKET_NOT_EMPTY")
            #expect(try await client.call(.delete, "/storage/v1/buckets/docs/objects/a.txt").status == .noContent)
            #expect(try await client.call(.delete, "/storage/v1/buckets/docs/objects/a.txt").errorCode == "BLOB_NOT_FOUND")
            #expect(try await client.call(.delete, "/storage/v1/buckets/docs").status == .noContent)
            #expect(try await client.call(.get, "/storage/v1/buckets/docs").status == .notFound)
            let textBody = try await client.call(.post, "/storage/v1/buckets", raw: "name=x", headers: [.contentType: "text/plain"])
            #expect(textBody.status == .unsupportedMediaType)
        }
    }

    @Test func objectsStreamBothWaysWithHeadersRangesAndConditions() async throws {
        defer { directory.remove() }
        try await withTestServer(setup: .live, blobs: try fileStore()) { client, _, _ in
            _ = try await client.call(.post, "/storage/v1/buckets", json: ["name": "files"])
            let bytes = BlobStoreConformance.pattern(3 << 20 + 11, seed: 4)
            let stored = try await put(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin", bytes,
                                       headers: [.contentType: "video/mp4", HTTPField.Name("x-reactor-meta-author")!: "ada"])
            #expect(stored.status == .ok)
            #expect(stored.json["key"] == "dir/big file.bin")
            #expect(stored.json["sha256"]?.stringValue == (try BlobStoreConformance.sha256(bytes)))
            let etag = try #require(stored.headers[.eTag])

            let (status, headers, body) = try await fetch(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin")
            #expect(status == .ok && body == bytes)
            #expect(headers[.contentType] == "video/mp4" && headers[.eTag] == etag && headers[.contentLength] == String(bytes.count))
            #expect(headers[HTTPField.Name("x-reactor-meta-author")!] == "ada" && headers[.acceptRanges] == "bytes")

            let (headStatus, headHeaders, headBody) = try await fetch(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin", method: .head)
            #expect(headStatus == .ok && headBody.isEmpty && headHeaders[.contentLength] == String(bytes.count))

            let (notModified, _, none) = try await fetch(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin", headers: [.ifNoneMatch: etag])
            #expect(notModified == .notModified && none.isEmpty)
            let (changed, _, _) = try await fetch(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin", headers: [.ifNoneMatch: "\"other\""])
            #expect(changed == .ok)

            let (partial, rangeHeaders, slice) = try await fetch(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin",
                                                                 headers: [.range: "bytes=100-199"])
            #expect(partial == .partialContent && slice == Array(bytes[100...199]))
            #expect(rangeHeaders[.contentRange] == "bytes 100-199/\(bytes.count)" && rangeHeaders[.contentLength] == "100")
            let (suffix, _, tail) = try await fetch(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin", headers: [.range: "bytes=-10"])
            #expect(suffix == .partialContent && tail == Array(bytes.suffix(10)))
            let (unsatisfiable, badHeaders, errorBody) = try await fetch(client, "/storage/v1/buckets/files/objects/dir/big%20file.bin",
                                                                         headers: [.range: "bytes=\(bytes.count)-"])
            #expect(unsatisfiable == .rangeNotSatisfiable && badHeaders[.contentRange] == "bytes */\(bytes.count)")
            #expect(String(decoding: errorBody, as: UTF8.self).contains("RANGE_NOT_SATISFIABLE"))

            let missing = try await client.call(.get, "/storage/v1/buckets/files/objects/nope")
            #expect(missing.status == .notFound && missing.errorCode == "BLOB_NOT_FOUND")
        }
    }

    @Test func listingsFilterByPrefixAndPage() async throws {
        defer { directory.remove() }
        try await withTestServer(setup: .live, blobs: InMemoryBlobStore()) { client, _, _ in
            _ = try await client.call(.post, "/storage/v1/buckets", json: ["name": "list"])
            for index in 0..<5 { _ = try await put(client, "/storage/v1/buckets/list/objects/p/\(index)", [UInt8(index)]) }
            _ = try await put(client, "/storage/v1/buckets/list/objects/q", [9])
            let first = try await client.call(.get, "/storage/v1/buckets/list/objects?prefix=p/&limit=3")
            #expect(first.json["objects"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["p/0", "p/1", "p/2"])
            let next = try #require(first.json["nextContinuation"]?.stringValue)
            let second = try await client.call(.get, "/storage/v1/buckets/list/objects?prefix=p/&limit=3&continuation=\(next)")
            #expect(second.json["objects"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["p/3", "p/4"])
            #expect(second.json["nextContinuation"] == .null)
            #expect(try await client.call(.get, "/storage/v1/buckets/list/objects?limit=0").status == .badRequest)
            #expect(try await client.call(.get, "/storage/v1/buckets/list/objects?continuation=%25%25").status == .badRequest)
        }
    }

    @Test func badChecksumsAndOversizedBodiesStoreNothing() async throws {
        defer { directory.remove() }
        let options = ServerOptions(maxObjectBytes: 1000)
        try await withTestServer(options: options, setup: .live, blobs: try fileStore()) { client, _, _ in
            _ = try await client.call(.post, "/storage/v1/buckets", json: ["name": "sums"])
            let bytes = Array("hello".utf8)
            let wrongSHA = String(repeating: "0", count: 64)
            for header in [HTTPField(name: HTTPField.Name("x-reactor-sha256")!, value: wrongSHA),
                           HTTPField(name: HTTPField.Name("x-amz-content-sha256")!, value: wrongSHA),
                           HTTPField(name: HTTPField.Name("Content-MD5")!, value: "AAAAAAAAAAAAAAAAAAAAAA==")] {
                let reply = try await put(client, "/storage/v1/buckets/sums/objects/h", bytes, headers: [header.name: header.value])
                #expect(reply.status == .badRequest && reply.errorCode == "BLOB_CHECKSUM_MISMATCH", "\(header.name)")
            }
            #expect(try await put(client, "/storage/v1/buckets/sums/objects/h", bytes, headers: [HTTPField.Name("Content-MD5")!: "nonsense"]).status == .badRequest)
            #expect(try await client.call(.get, "/storage/v1/buckets/sums/objects/h").status == .notFound)
            let good = try await put(client, "/storage/v1/buckets/sums/objects/h", bytes,
                                     headers: [HTTPField.Name("x-reactor-sha256")!: try BlobStoreConformance.sha256(bytes),
                                               HTTPField.Name("Content-MD5")!: "XUFAKrxLKna5cZ2REBfFkg=="])
            #expect(good.status == .ok)
            let tooLarge = try await put(client, "/storage/v1/buckets/sums/objects/big", [UInt8](repeating: 1, count: 1001))
            #expect(tooLarge.status == .contentTooLarge && tooLarge.errorCode == "PAYLOAD_TOO_LARGE")
            #expect(try await client.call(.get, "/storage/v1/buckets/sums/objects/big").status == .notFound)
            #expect(try await put(client, "/storage/v1/buckets/sums/objects/big", [UInt8](repeating: 1, count: 1000)).status == .ok)
        }
        #expect(!directory.files().contains { $0.contains("/.tmp/") })
    }

    @Test func pathTraversalInAnyFormIsRefused() async throws {
        defer { directory.remove() }
        try await withTestServer(setup: .live, blobs: try fileStore()) { client, _, _ in
            _ = try await client.call(.post, "/storage/v1/buckets", json: ["name": "safe"])
            let attempts = ["..%2F..%2Fescape", "%2e%2e/%2e%2e/escape", "%2E%2E%2Fescape", "a/%2e%2e/%2e%2e/%2e%2e/escape", "%2Fetc%2Fescape",
                            "/escape", "nul%00byte", "tab%09key", "a//b", "a/./b", "%C0%AE%C0%AE/escape", "back%5Cslash",
                            String(repeating: "k", count: 1025)]
            for attempt in attempts {
                let reply = try await put(client, "/storage/v1/buckets/safe/objects/" + attempt, [1, 2, 3])
                #expect(reply.status == .badRequest, "PUT \(attempt.prefix(40)) answered \(reply.status)")
                #expect(reply.errorCode == "INVALID_BLOB_KEY", "PUT \(attempt.prefix(40)): \(reply.text.prefix(200))")
                let read = try await client.call(.get, "/storage/v1/buckets/safe/objects/" + attempt)
                #expect(read.status == .badRequest, "GET \(attempt.prefix(40)) answered \(read.status)")
            }
            #expect(try await client.call(.get, "/storage/v1/buckets/..%2F..%2Fetc/objects/x").status == .badRequest)
        }
        // Nothing was written outside the blob root, and nothing but the bucket inside it.
        #expect(directory.files().allSatisfy { $0.hasPrefix("blobs/safe/") }, "\(directory.files())")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/escape"))
    }

    @Test func signedURLsWorkWithoutATokenAndRefuseTampering() async throws {
        defer { directory.remove() }
        let clock = StorageTestClock()
        try await withTestServer(auth: StaticAuthClient(), setup: .live, blobs: try fileStore(now: clock.now)) { client, _, _ in
            _ = try await client.call(.post, "/storage/v1/buckets", json: ["name": "private"], token: "user")
            _ = try await put(client, "/storage/v1/buckets/private/objects/report.pdf", Array("pdf!".utf8), token: "user")
            #expect(try await client.call(.get, "/storage/v1/buckets/private/objects/report.pdf").status == .unauthorized)
            let signed = try await client.call(.post, "/storage/v1/buckets/private/sign", json: ["key": "report.pdf", "expiresIn": 60], token: "user")
            #expect(signed.status == .ok)
            let url = try #require(signed.json["url"]?.stringValue)
            #expect(url.hasPrefix("/storage/v1/signed/private/report.pdf?"))
            let (ok, _, body) = try await fetch(client, url)
            #expect(ok == .ok && body == Array("pdf!".utf8))
            let (ranged, _, part) = try await fetch(client, url, headers: [.range: "bytes=1-2"])
            #expect(ranged == .partialContent && part == Array("df".utf8))

            let tampered = [url.replacingOccurrences(of: "report.pdf", with: "other.pdf"),
                            url.replacingOccurrences(of: "/private/", with: "/public/"),
                            url.replacingOccurrences(of: "expires=", with: "expires=9"),
                            String(url.dropLast(2)) + (url.hasSuffix("AA") ? "BB" : "AA"),
                            String(url.prefix { $0 != "?" })]
            for attempt in tampered {
                let reply = try await client.call(.get, attempt)
                #expect(reply.status == .forbidden && reply.errorCode == "SIGNED_URL_INVALID", "\(attempt): \(reply.status)")
            }
            let wrongMethod = try await put(client, url, [1])
            #expect(wrongMethod.status == .forbidden && wrongMethod.errorCode == "SIGNED_URL_INVALID")
            #expect(try await client.call(.get, "/storage/v1/buckets/private/objects/report.pdf", token: "user").text == "pdf!")

            let upload = try await client.call(.post, "/storage/v1/buckets/private/sign", json: ["key": "in/box.txt", "method": "PUT"], token: "user")
            let uploadURL = try #require(upload.json["url"]?.stringValue)
            #expect(try await put(client, uploadURL, Array("dropped".utf8)).status == .ok)
            #expect(try await client.call(.get, "/storage/v1/buckets/private/objects/in/box.txt", token: "user").text == "dropped")

            clock.advance(61)
            let expired = try await client.call(.get, url)
            #expect(expired.status == .forbidden && expired.errorCode == "SIGNED_URL_INVALID")
            #expect(expired.json["error"]?["message"]?.stringValue?.contains("expired") == true)
            #expect(try await client.call(.post, "/storage/v1/buckets/private/sign", json: ["key": "x", "expiresIn": 0], token: "user").status == .badRequest)
            #expect(try await client.call(.post, "/storage/v1/buckets/private/sign", json: ["key": "x", "method": "DELETE"], token: "user").status == .badRequest)
        }
    }

    @Test func writesNeedATokenAndPublicBucketsAreReadableWithoutOne() async throws {
        try await withTestServer(auth: StaticAuthClient(), setup: .live, blobs: InMemoryBlobStore()) { client, _, _ in
            #expect(try await client.call(.post, "/storage/v1/buckets", json: ["name": "open", "public": true]).status == .unauthorized)
            #expect(try await client.call(.post, "/storage/v1/buckets", json: ["name": "open", "public": true], token: "bad").status == .unauthorized)
            #expect(try await client.call(.post, "/storage/v1/buckets", json: ["name": "open", "public": true], token: "user").status == .created)
            _ = try await client.call(.post, "/storage/v1/buckets", json: ["name": "closed"], token: "user")
            #expect(try await put(client, "/storage/v1/buckets/open/objects/a", [1]).status == .unauthorized)
            #expect(try await put(client, "/storage/v1/buckets/open/objects/a", [1], token: "user").status == .ok)
            #expect(try await put(client, "/storage/v1/buckets/closed/objects/b", [2], token: "user").status == .ok)
            #expect(try await client.call(.get, "/storage/v1/buckets/open/objects/a").status == .ok)
            #expect(try await client.call(.get, "/storage/v1/buckets/open/objects").status == .ok)
            #expect(try await client.call(.get, "/storage/v1/buckets/open").status == .ok)
            #expect(try await client.call(.get, "/storage/v1/buckets/closed/objects/b").status == .unauthorized)
            #expect(try await client.call(.get, "/storage/v1/buckets/closed/objects").status == .unauthorized)
            #expect(try await client.call(.get, "/storage/v1/buckets/missing/objects").status == .unauthorized)
            #expect(try await client.call(.get, "/storage/v1/buckets").status == .unauthorized)
            #expect(try await client.call(.delete, "/storage/v1/buckets/open/objects/a").status == .unauthorized)
            #expect(try await client.call(.post, "/storage/v1/buckets/open/sign", json: ["key": "a"]).status == .unauthorized)
            #expect(try await client.call(.get, "/storage/v1/buckets/closed/objects/b", token: "user").status == .ok)
        }
    }
}

/// A directory for one test's blob root.
struct StorageTestDirectory {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-storage-routes-\(UUID().uuidString)").path

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Every regular file below the directory, relative to it.
    func files() -> [String] {
        var out: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue { out.append(name) }
        }
        return out
    }
}

/// A clock the test moves.
final class StorageTestClock: Sendable {
    private let seconds = Mutex<Double>(1_800_000_000)
    var now: @Sendable () -> Date { { Date(timeIntervalSince1970: self.seconds.withLock { $0 }) } }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}
