import ReactorCore

extension BlobStoreConformance {
    static let multipartCases: [BlobStoreConformanceCase] = [
        BlobStoreConformanceCase("multipart: upload parts out of order, complete in order") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "mp")
            let size = BlobStoreLimits.minimumPartSize
            let one = pattern(size, seed: 1), two = pattern(size, seed: 2), three = pattern(1234, seed: 3)
            let options = BlobPutOptions(contentType: "video/mp4", metadata: ["take": "3"])
            let upload = try await store.createMultipartUpload(key("movie.mp4"), in: bucket, options: options)
            let p3 = try await store.uploadPart(upload, key: key("movie.mp4"), in: bucket, partNumber: 3, body: .chunks(three, chunkSize: 100))
            let p1 = try await store.uploadPart(upload, key: key("movie.mp4"), in: bucket, partNumber: 1, body: .chunks(one, chunkSize: 1 << 20))
            // A part uploaded twice: the second one counts.
            _ = try await store.uploadPart(upload, key: key("movie.mp4"), in: bucket, partNumber: 2, body: .chunks(one, chunkSize: 1 << 20))
            let p2 = try await store.uploadPart(upload, key: key("movie.mp4"), in: bucket, partNumber: 2, body: .chunks(two, chunkSize: 1 << 20))
            try check(p1.number == 1 && p1.size == Int64(size) && p3.size == 1234, "uploadPart returned \(p1), \(p3)")
            let none = try await store.head(key("movie.mp4"), in: bucket)
            try check(none == nil, "an object is visible before the upload completed")
            let info = try await store.completeMultipartUpload(upload, key: key("movie.mp4"), in: bucket, parts: [p1, p2, p3])
            try check(info.size == Int64(2 * size + 1234), "the completed object has \(info.size) bytes")
            try await expectObject(store, key("movie.mp4"), in: bucket, one + two + three, "a completed multipart upload")
            let head = try await store.head(key("movie.mp4"), in: bucket)
            try check(head?.contentType == "video/mp4" && head?.metadata == ["take": "3"], "multipart lost attributes: \(String(describing: head))")
            try await expect(.uploadNotFound, "a part for a completed upload") {
                _ = try await store.uploadPart(upload, key: key("movie.mp4"), in: bucket, partNumber: 4, body: .bytes([1]))
            }
        },
        BlobStoreConformanceCase("multipart: abort discards the upload") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "abort")
            let upload = try await store.createMultipartUpload(key("x"), in: bucket, options: BlobPutOptions())
            let part = try await store.uploadPart(upload, key: key("x"), in: bucket, partNumber: 1, body: .bytes(pattern(10)))
            try await store.abortMultipartUpload(upload, key: key("x"), in: bucket)
            try await expect(.uploadNotFound, "completing an aborted upload") {
                _ = try await store.completeMultipartUpload(upload, key: key("x"), in: bucket, parts: [part])
            }
            let none = try await store.head(key("x"), in: bucket)
            try check(none == nil, "an aborted upload left an object")
            try await expect(.uploadNotFound, "a part for an upload never created") {
                _ = try await store.uploadPart(MultipartUploadID("no-such-upload"), key: key("x"), in: bucket, partNumber: 1, body: .bytes([1]))
            }
            try await store.deleteBucket(bucket)
        },
        BlobStoreConformanceCase("multipart: invalid, out-of-order and too-small parts") { make in
            let store = try await make()
            let bucket = try await makeBucket(store, "badmp")
            let upload = try await store.createMultipartUpload(key("y"), in: bucket, options: BlobPutOptions())
            let p1 = try await store.uploadPart(upload, key: key("y"), in: bucket, partNumber: 1, body: .bytes(pattern(100, seed: 1)))
            let p2 = try await store.uploadPart(upload, key: key("y"), in: bucket, partNumber: 2, body: .bytes(pattern(100, seed: 2)))
            try await expect(.invalidPart, "a part smaller than the minimum that is not the last") {
                _ = try await store.completeMultipartUpload(upload, key: key("y"), in: bucket, parts: [p1, p2])
            }
            try await expect(.invalidPart, "parts out of order") {
                _ = try await store.completeMultipartUpload(upload, key: key("y"), in: bucket, parts: [p2, p1])
            }
            try await expect(.invalidPart, "a part never uploaded") {
                _ = try await store.completeMultipartUpload(upload, key: key("y"), in: bucket, parts: [BlobPart(number: 7, etag: p1.etag, size: 100)])
            }
            try await expect(.invalidPart, "a part with another ETag") {
                _ = try await store.completeMultipartUpload(upload, key: key("y"), in: bucket, parts: [BlobPart(number: 1, etag: p2.etag, size: 100)])
            }
            try await expect(.invalidPart, "no parts") {
                _ = try await store.completeMultipartUpload(upload, key: key("y"), in: bucket, parts: [])
            }
            try await expect(.invalidArgument, "part number 0") {
                _ = try await store.uploadPart(upload, key: key("y"), in: bucket, partNumber: 0, body: .bytes([1]))
            }
            try await expect(.invalidArgument, "part number 10001") {
                _ = try await store.uploadPart(upload, key: key("y"), in: bucket, partNumber: 10_001, body: .bytes([1]))
            }
            let none = try await store.head(key("y"), in: bucket)
            try check(none == nil, "a refused completion left an object")
            // The upload survives refused completions: a single small part is a valid last part.
            let info = try await store.completeMultipartUpload(upload, key: key("y"), in: bucket, parts: [p2])
            try check(info.size == 100, "completing with one part gave \(info.size) bytes")
            try await expectObject(store, key("y"), in: bucket, pattern(100, seed: 2), "an upload completed after refusals")
        },
    ]
}
