import Foundation
import NIOCore
import ReactorCore

/// The conformance suite every ``BlobStore`` adapter passes (filesystem, S3, memory).
///
/// It checks the promises of the protocol: buckets (create, look up, list, delete only when empty), put/get/head/delete
/// and overwrite, bodies streamed in several chunks, sizes 0, 1 and several MiB, every form of byte range and the
/// unsatisfiable ones, listing by prefix with paging, copy, metadata and content type round trips, a checksum
/// mismatch or size limit leaving no object (and keeping the old one), multipart uploads (complete, abort, invalid,
/// out-of-order and too-small parts), what can be checked of signed URLs without a server, and bad keys and bucket
/// names refused with `INVALID_BLOB_KEY`. Run ``cases`` against a factory of a fresh store (see
/// ``BlobStoreConformanceCase``).
public enum BlobStoreConformance {
    /// Every case, in a stable order.
    public static var cases: [BlobStoreConformanceCase] {
        bucketCases + objectCases + rangeCases + listingCases + integrityCases + multipartCases + signedURLCases + keyCases
    }

    static let bucketCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("buckets: create, look up, list, delete") { make in
            let store = try await make()
            let a = bucketName("a"), b = bucketName("b")
            let missing = try await store.bucket(a)
            try check(missing == nil, "bucket() of a bucket never created returned \(String(describing: missing))")
            let created = try await store.createBucket(a, access: .public)
            try check(created.name == a && created.access == .public, "createBucket returned \(created)")
            _ = try await store.createBucket(b, access: .private)
            let found = try await store.bucket(a)
            try check(found?.access == .public, "bucket() lost the access: \(String(describing: found))")
            let privateOne = try await store.bucket(b)
            try check(privateOne?.access == .private, "bucket() lost the access: \(String(describing: privateOne))")
            let listed = try await store.listBuckets().map(\.name)
            try check(listed.contains(a) && listed.contains(b), "listBuckets() misses a new bucket: \(listed)")
            try check(listed == listed.sorted(), "listBuckets() is not sorted by name: \(listed)")
            try await expect(.bucketExists, "creating a bucket twice") { _ = try await store.createBucket(a, access: .private) }
            try await store.deleteBucket(a)
            let gone = try await store.bucket(a)
            try check(gone == nil, "a deleted bucket is still there")
            try await expect(.bucketNotFound, "deleting a missing bucket") { try await store.deleteBucket(a) }
            try await store.deleteBucket(b)
        },
        BlobStoreConformanceCase("buckets: a bucket with objects is not deleted") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "full")
            try await store.put(key("x/y"), in: bucket, bytes: [1, 2, 3])
            try await expect(.bucketNotEmpty, "deleting a bucket that holds an object") { try await store.deleteBucket(bucket) }
            try await expectObject(store, key("x/y"), in: bucket, [1, 2, 3], "after a refused bucket delete")
            try await store.delete(key("x/y"), in: bucket)
            try await store.deleteBucket(bucket)
        },
        BlobStoreConformanceCase("buckets: object calls on a missing bucket") { make in
            let store = try await make()
            let bucket = bucketName("none")
            try await expect(.bucketNotFound, "put into a missing bucket") { try await store.put(key("k"), in: bucket, bytes: [1]) }
            try await expect(.bucketNotFound, "get from a missing bucket") { _ = try await store.get(key("k"), in: bucket, range: nil) }
            try await expect(.bucketNotFound, "list of a missing bucket") {
                _ = try await store.list(in: bucket, prefix: "", continuation: nil, limit: 10)
            }
        },
    ]

    static let objectCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("objects: put, get, head, delete") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "obj")
            let bytes = pattern(1000)
            let info = try await store.put(key("docs/readme.txt"), in: bucket, bytes: bytes, options: BlobPutOptions(contentType: "text/plain"))
            try check(info.size == 1000 && info.key == key("docs/readme.txt") && info.bucket == bucket, "put returned \(info)")
            try check(info.etag.hasPrefix("\"") && info.etag.hasSuffix("\"") && info.etag.count > 2, "the ETag is not quoted: \(info.etag)")
            try check(info.sha256 == nil || info.sha256 == (try sha256(bytes)), "put reports a wrong SHA-256")
            try await expectObject(store, key("docs/readme.txt"), in: bucket, bytes, "after put")
            let none = try await store.head(key("docs/other"), in: bucket)
            try check(none == nil, "head of a missing object returned \(String(describing: none))")
            try await expect(.blobNotFound, "get of a missing object") { _ = try await store.get(key("docs/other"), in: bucket, range: nil) }
            let deleted = try await store.delete(key("docs/readme.txt"), in: bucket)
            try check(deleted, "delete of an existing object returned false")
            let again = try await store.delete(key("docs/readme.txt"), in: bucket)
            try check(!again, "a second delete returned true")
            try await expect(.blobNotFound, "get after delete") { _ = try await store.get(key("docs/readme.txt"), in: bucket, range: nil) }
        },
        BlobStoreConformanceCase("objects: overwrite replaces bytes, type and metadata") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "over")
            let first = try await store.put(key("a"), in: bucket, bytes: pattern(300, seed: 1),
                                            options: BlobPutOptions(contentType: "text/plain", metadata: ["one": "1"]))
            let second = try await store.put(key("a"), in: bucket, bytes: pattern(200, seed: 2),
                                             options: BlobPutOptions(contentType: "image/png", metadata: ["two": "2"]))
            try check(first.etag != second.etag, "the ETag did not change with the bytes")
            try await expectObject(store, key("a"), in: bucket, pattern(200, seed: 2), "after overwrite")
            let head = try await store.head(key("a"), in: bucket)
            try check(head?.contentType == "image/png" && head?.metadata == ["two": "2"], "overwrite kept old attributes: \(String(describing: head))")
            let listing = try await store.list(in: bucket, prefix: "", continuation: nil, limit: 10)
            try check(listing.objects.map(\.key) == [key("a")], "an overwrite changed the listing: \(listing.objects.map(\.key))")
        },
        BlobStoreConformanceCase("objects: sizes 0, 1 and several MiB streamed in chunks") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "sizes")
            for (size, chunk) in [(0, 1), (1, 1), (3 << 20 + 7, 65_536), (1 << 20, 1000)] {
                let bytes = pattern(size, seed: UInt64(size))
                let name = key("size/\(size)-\(chunk)")
                let info = try await store.put(name, in: bucket, body: .chunks(bytes, chunkSize: chunk), options: BlobPutOptions())
                try check(info.size == Int64(size), "put of \(size) bytes in \(chunk)-byte chunks reports \(info.size)")
                try await expectObject(store, name, in: bucket, bytes, "\(size) bytes in \(chunk)-byte chunks")
            }
            // A body whose length is not known in advance.
            let bytes = pattern(70_000, seed: 9)
            let unknown = BlobBody(BlobBody.chunks(bytes, chunkSize: 4096))
            try await store.put(key("size/unknown"), in: bucket, body: unknown, options: BlobPutOptions())
            try await expectObject(store, key("size/unknown"), in: bucket, bytes, "a body of unknown length")
        },
        BlobStoreConformanceCase("objects: metadata and content type round trip") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "meta")
            let options = BlobPutOptions(contentType: "application/vnd.reactor+json; charset=utf-8",
                                         metadata: ["author": "Ada Lovelace", "x-run": "42", "empty": ""])
            try await store.put(key("m/one.json"), in: bucket, bytes: Array("{}".utf8), options: options)
            let head = try await store.head(key("m/one.json"), in: bucket)
            try check(head?.contentType == options.contentType, "content type: \(String(describing: head?.contentType))")
            try check(head?.metadata == options.metadata, "metadata: \(String(describing: head?.metadata))")
            let download = try await store.get(key("m/one.json"), in: bucket, range: nil)
            try check(download.info.contentType == options.contentType && download.info.metadata == options.metadata,
                      "get returned other attributes: \(download.info)")
            try await store.put(key("m/plain"), in: bucket, bytes: [0])
            let plain = try await store.head(key("m/plain"), in: bucket)
            try check(plain?.contentType == "application/octet-stream", "the default content type is \(String(describing: plain?.contentType))")
            try await expect(.invalidArgument, "metadata with an uppercase key") {
                try await store.put(key("m/bad"), in: bucket, bytes: [1], options: BlobPutOptions(metadata: ["Bad": "x"]))
            }
            try await expect(.invalidArgument, "a content type with a newline") {
                try await store.put(key("m/bad"), in: bucket, bytes: [1], options: BlobPutOptions(contentType: "text/plain\nx: y"))
            }
            let bad = try await store.head(key("m/bad"), in: bucket)
            try check(bad == nil, "a refused put left an object")
        },
        BlobStoreConformanceCase("objects: copy within and across buckets") { make in
            let store = try await make()
            let one = try await makeBucket(store, "copy1"), two = try await makeBucket(store, "copy2")
            let bytes = pattern(5000, seed: 5)
            try await store.put(key("src"), in: one, bytes: bytes, options: BlobPutOptions(contentType: "text/csv", metadata: ["k": "v"]))
            let copy = try await store.copy(key("src"), in: one, to: key("dst/copy"), in: one)
            try check(copy.key == key("dst/copy") && copy.size == 5000, "copy returned \(copy)")
            try await expectObject(store, key("dst/copy"), in: one, bytes, "a copy in the same bucket")
            let across = try await store.copy(key("src"), in: one, to: key("other"), in: two)
            try check(across.bucket == two, "a copy across buckets names \(across.bucket)")
            try await expectObject(store, key("other"), in: two, bytes, "a copy across buckets")
            let head = try await store.head(key("other"), in: two)
            try check(head?.contentType == "text/csv" && head?.metadata == ["k": "v"], "copy lost attributes: \(String(describing: head))")
            try await expectObject(store, key("src"), in: one, bytes, "the source after copies")
            try await expect(.blobNotFound, "copy of a missing object") { _ = try await store.copy(key("nope"), in: one, to: key("x"), in: one) }
        },
    ]

    static let rangeCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("ranges: every form, and unsatisfiable ones") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "range")
            let bytes = pattern(1000, seed: 3)
            try await store.put(key("r"), in: bucket, body: .chunks(bytes, chunkSize: 97), options: BlobPutOptions())
            let forms: [(BlobByteRange, ClosedRange<Int64>)] = [
                (.from(0, through: 0), 0...0), (.from(10, through: 19), 10...19), (.from(990, through: nil), 990...999),
                (.from(500, through: 5000), 500...999), (.suffix(100), 900...999), (.suffix(5000), 0...999), (.from(0, through: nil), 0...999),
            ]
            for (range, expected) in forms {
                let download = try await store.get(key("r"), in: bucket, range: range)
                let got = try await collect(download)
                try check(download.isPartial, "\(range): not marked partial")
                try check(download.range == expected, "\(range): range \(String(describing: download.range)), expected \(expected)")
                try check(download.info.size == 1000, "\(range): info.size is the range's, not the object's")
                try check(got == Array(bytes[Int(expected.lowerBound)...Int(expected.upperBound)]), "\(range): wrong bytes (\(got.count))")
            }
            for range in [BlobByteRange.from(1000, through: nil), .from(1000, through: 1001), .suffix(0), .from(20, through: 10)] {
                try await expect(.rangeNotSatisfiable, "\(range) of a 1000-byte object") { _ = try await store.get(key("r"), in: bucket, range: range) }
            }
            try await store.put(key("empty"), in: bucket, bytes: [UInt8]())
            try await expect(.rangeNotSatisfiable, "a range of an empty object") {
                _ = try await store.get(key("empty"), in: bucket, range: .from(0, through: nil))
            }
            let whole = try await store.get(key("empty"), in: bucket, range: nil)
            let none = try await collect(whole)
            try check(none.isEmpty && !whole.isPartial, "get of an empty object returned \(none.count) bytes")
        },
        BlobStoreConformanceCase("ranges: HTTP Range header parsing") { _ in
            let parsed: [(String, BlobByteRange?)] = [
                ("bytes=0-99", .from(0, through: 99)), ("bytes=100-", .from(100, through: nil)), ("bytes=-5", .suffix(5)),
                (" bytes=1-2 ", .from(1, through: 2)), ("bytes=0-1,5-6", nil), ("items=0-1", nil), ("bytes=a-b", nil),
                ("bytes=-", nil), ("bytes=1", nil), ("bytes=99999999999999999999-", nil),
            ]
            for (header, expected) in parsed {
                let range = BlobByteRange(httpHeader: header)
                try check(range == expected, "Range '\(header)' parsed as \(String(describing: range)), expected \(String(describing: expected))")
            }
        },
    ]

    static let listingCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("list: prefix and paging") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "list")
            var keys: [String] = []
            for index in 0..<23 { keys.append("photos/\(String(format: "%03d", index)).jpg") }
            keys += ["docs/a", "docs/b", "photo", "z"]
            for name in keys.shuffled() { try await store.put(key(name), in: bucket, bytes: Array(name.utf8)) }
            var pages: [[String]] = []
            var continuation: String?
            repeat {
                let page = try await store.list(in: bucket, prefix: "photos/", continuation: continuation, limit: 10)
                pages.append(page.objects.map(\.key.rawValue))
                continuation = page.nextContinuation
                try check(pages.count <= 5, "paging does not end")
            } while continuation != nil
            try check(pages.map(\.count) == [10, 10, 3], "pages of 10 over 23 keys: \(pages.map(\.count))")
            try check(pages.flatMap { $0 } == keys.filter { $0.hasPrefix("photos/") }.sorted(), "paged keys are not the sorted prefix: \(pages)")
            let all = try await store.list(in: bucket, prefix: "", continuation: nil, limit: 1000)
            try check(all.objects.map(\.key.rawValue) == keys.sorted(), "list without prefix: \(all.objects.map(\.key.rawValue))")
            try check(all.nextContinuation == nil, "the last page has a continuation")
            let photo = try await store.list(in: bucket, prefix: "photo", continuation: nil, limit: 1000)
            try check(photo.objects.count == 24, "prefix 'photo' lists \(photo.objects.count) objects")
            let docs = try await store.list(in: bucket, prefix: "docs/", continuation: nil, limit: 1000)
            try check(docs.objects.map(\.key.rawValue) == ["docs/a", "docs/b"], "prefix docs/: \(docs.objects.map(\.key.rawValue))")
            try check(docs.objects.first?.size == 6, "listed size is \(String(describing: docs.objects.first?.size))")
            let none = try await store.list(in: bucket, prefix: "nothing/", continuation: nil, limit: 5)
            try check(none.objects.isEmpty && none.nextContinuation == nil, "an unmatched prefix lists \(none.objects.count)")
            let exact = try await store.list(in: bucket, prefix: "z", continuation: nil, limit: 1)
            try check(exact.objects.count == 1 && exact.nextContinuation == nil, "a full last page still has a continuation")
            for limit in [0, 1001] {
                try await expect(.invalidArgument, "list with limit \(limit)") {
                    _ = try await store.list(in: bucket, prefix: "", continuation: nil, limit: limit)
                }
            }
        },
    ]

    static let integrityCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("integrity: a checksum mismatch stores nothing and keeps the old object") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "sum")
            let old = pattern(100, seed: 1), new = pattern(2 << 20, seed: 2)
            let wrong = try sha256(old)
            try await expect(.blobChecksumMismatch, "a wrong SHA-256 on a new key") {
                try await store.put(key("fresh"), in: bucket, body: .chunks(new, chunkSize: 65_536), options: BlobPutOptions(expectedSHA256: wrong))
            }
            let fresh = try await store.head(key("fresh"), in: bucket)
            try check(fresh == nil, "a mismatched put left an object")
            try await store.put(key("kept"), in: bucket, bytes: old)
            try await expect(.blobChecksumMismatch, "a wrong SHA-256 over an existing key") {
                try await store.put(key("kept"), in: bucket, body: .chunks(new, chunkSize: 65_536), options: BlobPutOptions(expectedSHA256: wrong))
            }
            try await expect(.blobChecksumMismatch, "a wrong Content-MD5") {
                try await store.put(key("kept"), in: bucket, bytes: new, options: BlobPutOptions(expectedMD5: "AAAAAAAAAAAAAAAAAAAAAA=="))
            }
            try await expectObject(store, key("kept"), in: bucket, old, "after refused overwrites")
            let right = try sha256(new)
            try await store.put(key("kept"), in: bucket, bytes: new, options: BlobPutOptions(expectedSHA256: right.uppercased()))
            try await expectObject(store, key("kept"), in: bucket, new, "after a put with the right SHA-256")
            // MD5 of "hello" is XUFAKrxLKna5cZ2REBfFkg==.
            try await store.put(key("md5"), in: bucket, bytes: Array("hello".utf8), options: BlobPutOptions(expectedMD5: "XUFAKrxLKna5cZ2REBfFkg=="))
            try await expectObject(store, key("md5"), in: bucket, Array("hello".utf8), "after a put with the right MD5")
            let listing = try await store.list(in: bucket, prefix: "", continuation: nil, limit: 10)
            try check(listing.objects.map(\.key.rawValue) == ["kept", "md5"], "the listing after refused puts: \(listing.objects.map(\.key.rawValue))")
        },
        BlobStoreConformanceCase("integrity: maxSize stores nothing") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "max")
            let bytes = pattern(10_000)
            try await expect(.payloadTooLarge, "a known-length body over maxSize") {
                try await store.put(key("big"), in: bucket, body: .chunks(bytes, chunkSize: 1000), options: BlobPutOptions(maxSize: 9_999))
            }
            try await expect(.payloadTooLarge, "an unknown-length body over maxSize") {
                try await store.put(key("big"), in: bucket, body: BlobBody(BlobBody.chunks(bytes, chunkSize: 1000)), options: BlobPutOptions(maxSize: 5000))
            }
            let none = try await store.head(key("big"), in: bucket)
            try check(none == nil, "a put over maxSize left an object")
            try await store.put(key("big"), in: bucket, body: .chunks(bytes, chunkSize: 1000), options: BlobPutOptions(maxSize: 10_000))
            try await expectObject(store, key("big"), in: bucket, bytes, "a body of exactly maxSize")
        },
    ]

    static let signedURLCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("signed URLs: method, expiry, lifetime limits") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "sign")
            try await store.put(key("a b/ü.txt"), in: bucket, bytes: [1])
            let before = Date()
            let get = try await store.signedURL(.get, key: key("a b/ü.txt"), in: bucket, expiresIn: .seconds(600))
            let put = try await store.signedURL(.put, key: key("a b/ü.txt"), in: bucket, expiresIn: .seconds(600))
            try check(get.method == .get && put.method == .put, "the methods are \(get.method), \(put.method)")
            try check(get.url != put.url, "GET and PUT URLs are the same")
            try check(!get.url.contains(" ") && !get.url.contains("ü"), "the URL is not percent-encoded: \(get.url)")
            try check(get.url.hasPrefix("/") || get.url.hasPrefix("http://") || get.url.hasPrefix("https://"), "the URL is neither relative nor absolute: \(get.url)")
            let lifetime = get.expiresAt.timeIntervalSince(before)
            try check(lifetime > 590 && lifetime < 700, "the URL expires in \(lifetime) s, not about 600")
            for bad in [Duration.zero, .seconds(-1), .seconds(8 * 24 * 3600)] {
                try await expect(.invalidArgument, "a signed URL for \(bad)") {
                    _ = try await store.signedURL(.get, key: key("a b/ü.txt"), in: bucket, expiresIn: bad)
                }
            }
        },
    ]

    static let keyCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("keys: bad keys and bucket names are INVALID_BLOB_KEY") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "keys")
            let badKeys = ["", "..", "../etc/passwd", "a/../../b", "a/./b", "/etc/passwd", "a//b", "a/", ".",
                           "nul\u{0}byte", "tab\tkey", "line\nbreak", "del\u{7F}", "c1\u{85}", "back\\slash",
                           String(repeating: "k", count: BlobKey.maxLength + 1)]
            for bad in badKeys {
                try await expect(.invalidBlobKey, "the key \(bad.debugDescription.prefix(40))") { _ = try BlobKey(bad) }
                try await expect(.invalidBlobKey, "the key \(bad.debugDescription.prefix(40)) decoded as JSON") {
                    _ = try JSONDecoder().decode(BlobKey.self, from: JSONEncoder().encode(bad))
                }
            }
            for good in ["a", "a/b/c.txt", "..a", "a..", "a/.b", "ümlaut/日本.txt", "with space", String(repeating: "k", count: BlobKey.maxLength)] {
                let parsed = try BlobKey(good)
                try await store.put(parsed, in: bucket, bytes: Array(good.utf8))
                try await expectObject(store, parsed, in: bucket, Array(good.utf8), "the key \(good.prefix(20))")
            }
            for bad in ["ab", "UPPER", "a_b", "-ab", "ab-", "a..b", String(repeating: "b", count: 64), "a/b", "a b"] {
                try await expect(.invalidBlobKey, "the bucket name \(bad)") { _ = try BucketName(bad) }
            }
        },
    ]
}
