import NIOCore
import ReactorCore

extension BlobStoreConformance {
    /// A fresh, valid bucket name starting with `label` (random suffix, so cases can share one backend).
    public static func bucketName(_ label: String) -> BucketName {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        // Lowercase letters and digits only: always valid.
        // swiftlint:disable:next force_try
        return try! BucketName("rc-\(label)-\(suffix)")
    }

    /// A new private bucket in `store`.
    static func makeBucket(_ store: any BlobStore, _ label: String, access: BucketAccess = .private) async throws -> BucketName {
        let name = bucketName(label)
        _ = try await store.createBucket(name, access: access)
        return name
    }

    /// `count` bytes of a repeatable pattern that differs by `seed` (so a byte out of place shows).
    public static func pattern(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        // Whole words at a time through the buffer (a byte-by-byte loop is slow in debug builds, and tests call
        // this for megabytes on the cooperative pool).
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < count {
                var word = generator.next().littleEndian
                let length = min(8, count - offset)
                withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: length) }
                offset += length
            }
        }
        return out
    }

    /// The lowercase hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) throws -> String {
        var integrity = try BlobIntegrity(options: BlobPutOptions())
        try integrity.update(ByteBuffer(bytes: bytes))
        return try integrity.finish()
    }

    /// All the bytes of a download.
    static func collect(_ download: BlobDownload) async throws -> [UInt8] {
        try await download.body.collect(limit: 64 << 20)
    }

    /// A key (valid by construction).
    static func key(_ text: String) -> BlobKey {
        // Only called with literal, valid keys.
        // swiftlint:disable:next force_try
        try! BlobKey(text)
    }

    /// Checks that `body` throws a ``ReactorError`` with `code`.
    static func expect(_ code: ReactorError.Code, _ context: String, file: StaticString = #fileID, line: UInt = #line,
                       _ body: () async throws -> Void) async throws {
        try await checkThrows(code, context, file: file, line: line, body)
    }

    /// Checks that the object at `key` is exactly `bytes` (get, head and the recorded SHA-256).
    static func expectObject(_ store: any BlobStore, _ key: BlobKey, in bucket: BucketName, _ bytes: [UInt8], _ context: String) async throws {
        let download = try await store.get(key, in: bucket, range: nil)
        let got = try await collect(download)
        try check(got == bytes, "\(context): get returned \(got.count) bytes, expected \(bytes.count) (or other bytes)")
        try check(download.info.size == Int64(bytes.count), "\(context): info.size is \(download.info.size), expected \(bytes.count)")
        try check(!download.isPartial, "\(context): a get without a range is partial")
        let head = try await store.head(key, in: bucket)
        try check(head?.size == Int64(bytes.count), "\(context): head says \(String(describing: head?.size)) bytes")
        if let sha = head?.sha256 {
            try check(sha == (try sha256(bytes)), "\(context): the recorded SHA-256 is wrong")
        }
        try check(head?.etag == download.info.etag, "\(context): head and get disagree on the ETag")
    }
}
