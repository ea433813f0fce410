import Foundation
import NIOCore
import ReactorCore
import Synchronization

/// A complete ``BlobStore`` in memory: nothing survives the process. Shipped (`[storage] backend = "memory"`) and
/// used by tests above the protocol. Signed URLs are served by the Reactor server, signed with ``urlSigner``.
public final class InMemoryBlobStore: ServerSignedBlobStore {
    public var backendName: String { "memory" }
    /// The signer of this store's URLs.
    public let urlSigner: BlobURLSigner
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    private struct StoredObject {
        var info: BlobInfo
        var bytes: [UInt8]
    }

    private struct Upload {
        var bucket: BucketName
        var key: BlobKey
        var options: BlobPutOptions
        var parts: [Int: (part: BlobPart, bytes: [UInt8])] = [:]
    }

    private struct State {
        var buckets: [BucketName: BucketInfo] = [:]
        var objects: [BucketName: [BlobKey: StoredObject]] = [:]
        var uploads: [String: Upload] = [:]
    }

    /// An empty store. `signer` signs its URLs (a random secret by default); `now` is its clock.
    public init(signer: BlobURLSigner? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        self.urlSigner = signer ?? .random(now: now)
    }

    // MARK: Buckets

    public func createBucket(_ bucket: BucketName, access: BucketAccess) async throws -> BucketInfo {
        let info = BucketInfo(name: bucket, access: access, createdAt: now())
        return try state.withLock { state in
            guard state.buckets[bucket] == nil else { throw BlobErrors.bucketExists(bucket) }
            state.buckets[bucket] = info
            state.objects[bucket] = [:]
            return info
        }
    }

    public func bucket(_ bucket: BucketName) async throws -> BucketInfo? {
        state.withLock { $0.buckets[bucket] }
    }

    public func listBuckets() async throws -> [BucketInfo] {
        state.withLock { $0.buckets.values.sorted { $0.name < $1.name } }
    }

    public func deleteBucket(_ bucket: BucketName) async throws {
        try state.withLock { state in
            guard state.buckets[bucket] != nil else { throw BlobErrors.bucketNotFound(bucket) }
            guard state.objects[bucket]?.isEmpty ?? true, !state.uploads.values.contains(where: { $0.bucket == bucket }) else {
                throw BlobErrors.bucketNotEmpty(bucket)
            }
            state.buckets[bucket] = nil
            state.objects[bucket] = nil
        }
    }

    // MARK: Objects

    @discardableResult
    public func put(_ key: BlobKey, in bucket: BucketName, body: BlobBody, options: BlobPutOptions) async throws -> BlobInfo {
        try requireBucket(bucket)
        let (bytes, sha256) = try await Self.read(body, options: options)
        let info = BlobInfo(bucket: bucket, key: key, size: Int64(bytes.count), contentType: options.contentType,
                            etag: BlobIntegrity.etag(sha256: sha256), sha256: sha256, metadata: options.metadata, lastModified: now())
        try store(StoredObject(info: info, bytes: bytes))
        return info
    }

    public func get(_ key: BlobKey, in bucket: BucketName, range: BlobByteRange?) async throws -> BlobDownload {
        let object = try require(key, in: bucket)
        let size = object.info.size
        let selected = try range.map { try $0.resolve(size: size) }
        let bounds: ClosedRange<Int64>? = selected ?? (size > 0 ? 0...(size - 1) : nil)
        let slice = bounds.map { Array(object.bytes[Int($0.lowerBound)...Int($0.upperBound)]) } ?? []
        return BlobDownload(info: object.info, range: bounds, isPartial: selected != nil, body: Self.chunked(slice))
    }

    public func head(_ key: BlobKey, in bucket: BucketName) async throws -> BlobInfo? {
        try requireBucket(bucket)
        return state.withLock { $0.objects[bucket]?[key]?.info }
    }

    @discardableResult
    public func delete(_ key: BlobKey, in bucket: BucketName) async throws -> Bool {
        try requireBucket(bucket)
        return state.withLock { $0.objects[bucket]?.removeValue(forKey: key) != nil }
    }

    public func list(in bucket: BucketName, prefix: String, continuation: String?, limit: Int) async throws -> BlobListing {
        try requireBucket(bucket)
        let infos = state.withLock { ($0.objects[bucket] ?? [:]).values.map(\.info) }.sorted { $0.key < $1.key }
        return try BlobPaging.page(infos, prefix: prefix, continuation: continuation, limit: limit)
    }

    public func copy(_ source: BlobKey, in sourceBucket: BucketName, to destination: BlobKey, in destinationBucket: BucketName) async throws -> BlobInfo {
        let object = try require(source, in: sourceBucket)
        try requireBucket(destinationBucket)
        var info = object.info
        info.bucket = destinationBucket
        info.key = destination
        info.lastModified = now()
        try store(StoredObject(info: info, bytes: object.bytes))
        return info
    }

    // MARK: Signed URLs

    public func signedURL(_ method: SignedBlobURL.Method, key: BlobKey, in bucket: BucketName, expiresIn: Duration) async throws -> SignedBlobURL {
        try requireBucket(bucket)
        return try urlSigner.sign(method, bucket: bucket, key: key, expiresIn: expiresIn)
    }

    // MARK: Multipart uploads

    public func createMultipartUpload(_ key: BlobKey, in bucket: BucketName, options: BlobPutOptions) async throws -> MultipartUploadID {
        try requireBucket(bucket)
        try options.validate()
        let id = UUID().uuidString.lowercased()
        state.withLock { $0.uploads[id] = Upload(bucket: bucket, key: key, options: options) }
        return MultipartUploadID(id)
    }

    public func uploadPart(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, partNumber: Int, body: BlobBody) async throws -> BlobPart {
        try BlobPaging.checkPartNumber(partNumber)
        _ = try requireUpload(upload, key: key, bucket: bucket)
        let (bytes, sha256) = try await Self.read(body, options: BlobPutOptions())
        let part = BlobPart(number: partNumber, etag: BlobIntegrity.etag(sha256: sha256), size: Int64(bytes.count))
        try state.withLock { state in
            guard state.uploads[upload.rawValue] != nil else { throw BlobErrors.uploadNotFound(upload) }
            state.uploads[upload.rawValue]?.parts[partNumber] = (part, bytes)
        }
        return part
    }

    public func completeMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, parts: [BlobPart]) async throws -> BlobInfo {
        let pending = try requireUpload(upload, key: key, bucket: bucket)
        let ordered = try BlobPaging.checkCompletion(parts, uploaded: pending.parts.mapValues(\.part))
        var integrity = try BlobIntegrity(options: pending.options)
        var bytes: [UInt8] = []
        for part in ordered {
            let partBytes = pending.parts[part.number]?.bytes ?? []
            try integrity.update(ByteBuffer(bytes: partBytes))
            bytes += partBytes
        }
        let sha256 = try integrity.finish()
        let info = BlobInfo(bucket: bucket, key: key, size: Int64(bytes.count), contentType: pending.options.contentType,
                            etag: BlobIntegrity.etag(sha256: sha256), sha256: sha256, metadata: pending.options.metadata, lastModified: now())
        try store(StoredObject(info: info, bytes: bytes))
        state.withLock { _ = $0.uploads.removeValue(forKey: upload.rawValue) }
        return info
    }

    public func abortMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName) async throws {
        _ = try requireUpload(upload, key: key, bucket: bucket)
        state.withLock { _ = $0.uploads.removeValue(forKey: upload.rawValue) }
    }

    // MARK: Helpers

    private func requireBucket(_ bucket: BucketName) throws {
        guard state.withLock({ $0.buckets[bucket] != nil }) else { throw BlobErrors.bucketNotFound(bucket) }
    }

    private func require(_ key: BlobKey, in bucket: BucketName) throws -> StoredObject {
        try requireBucket(bucket)
        guard let object = state.withLock({ $0.objects[bucket]?[key] }) else { throw BlobErrors.blobNotFound(key, in: bucket) }
        return object
    }

    private func requireUpload(_ upload: MultipartUploadID, key: BlobKey, bucket: BucketName) throws -> Upload {
        try requireBucket(bucket)
        guard let pending = state.withLock({ $0.uploads[upload.rawValue] }), pending.key == key, pending.bucket == bucket else {
            throw BlobErrors.uploadNotFound(upload)
        }
        return pending
    }

    private func store(_ object: StoredObject) throws {
        try state.withLock { state in
            guard state.buckets[object.info.bucket] != nil else { throw BlobErrors.bucketNotFound(object.info.bucket) }
            state.objects[object.info.bucket, default: [:]][object.info.key] = object
        }
    }

    private static func read(_ body: BlobBody, options: BlobPutOptions) async throws -> ([UInt8], String) {
        var integrity = try BlobIntegrity(options: options, length: body.length)
        var bytes: [UInt8] = []
        for try await buffer in body {
            try integrity.update(buffer)
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return (bytes, try integrity.finish())
    }

    /// `bytes` as a body of 64 KiB buffers.
    private static func chunked(_ bytes: [UInt8]) -> BlobBody { .chunks(bytes, chunkSize: 64 << 10) }
}
