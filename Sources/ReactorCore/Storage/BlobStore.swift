import Foundation

/// The platform's one place for bytes: buckets of objects ("blobs") addressed by key.
///
/// Adapters: `ReactorStorage.FileBlobStore` (the embedded default under `<data_dir>/blobs`),
/// `ReactorS3.S3BlobStore` (any S3-compatible server) and `ReactorMemory.InMemoryBlobStore` (tests above the
/// protocol). Every adapter passes `ReactorTesting.BlobStoreConformance`; code that needs storage depends on
/// `any BlobStore`.
///
/// Keys and bucket names are validated by ``BlobKey`` and ``BucketName`` before they reach an adapter, so a bad key is
/// the same typed error (``ReactorError/Code/invalidBlobKey``) on every backend. Bodies are streamed (``BlobBody``):
/// no adapter holds a whole object in memory. A `put` is atomic: a reader sees the old object or the new one, and a
/// failed or cancelled `put` (a checksum mismatch, a size limit, a dropped connection) leaves no object behind.
public protocol BlobStore: Sendable {
    /// The backend's name in errors, logs and metrics (`"fs"`, `"s3"`, `"memory"`).
    var backendName: String { get }

    // MARK: Buckets

    /// Creates a bucket. Throws ``ReactorError/Code/bucketExists`` when it exists.
    func createBucket(_ bucket: BucketName, access: BucketAccess) async throws -> BucketInfo
    /// The bucket, or nil when there is none.
    func bucket(_ bucket: BucketName) async throws -> BucketInfo?
    /// All buckets, sorted by name.
    func listBuckets() async throws -> [BucketInfo]
    /// Deletes an empty bucket. Throws ``ReactorError/Code/bucketNotFound`` or ``ReactorError/Code/bucketNotEmpty``.
    func deleteBucket(_ bucket: BucketName) async throws

    // MARK: Objects

    /// Stores `body` at `key`, replacing any object there, and returns what was stored. Atomic (see the type's
    /// documentation). Throws ``ReactorError/Code/blobChecksumMismatch`` when `options.expectedSHA256` does not match
    /// and ``ReactorError/Code/payloadTooLarge`` when the body exceeds `options.maxSize`; neither leaves an object.
    @discardableResult
    func put(_ key: BlobKey, in bucket: BucketName, body: BlobBody, options: BlobPutOptions) async throws -> BlobInfo
    /// The object's bytes (all of them, or `range`), streamed. Throws ``ReactorError/Code/blobNotFound`` or
    /// ``ReactorError/Code/rangeNotSatisfiable``.
    func get(_ key: BlobKey, in bucket: BucketName, range: BlobByteRange?) async throws -> BlobDownload
    /// The object's description without its bytes, or nil when there is none.
    func head(_ key: BlobKey, in bucket: BucketName) async throws -> BlobInfo?
    /// Removes the object. Returns whether there was one.
    @discardableResult
    func delete(_ key: BlobKey, in bucket: BucketName) async throws -> Bool
    /// The objects whose keys start with `prefix`, in key order, at most `limit` (1–1000) of them, starting after the
    /// page that `continuation` (a previous listing's ``BlobListing/nextContinuation``) ended.
    func list(in bucket: BucketName, prefix: String, continuation: String?, limit: Int) async throws -> BlobListing
    /// Copies an object (within a bucket or across buckets) and returns the copy's description.
    func copy(_ source: BlobKey, in sourceBucket: BucketName, to destination: BlobKey, in destinationBucket: BucketName) async throws -> BlobInfo

    // MARK: Signed URLs

    /// A URL that lets its holder `method` the object without credentials until `expiresIn` has passed. The URL may be
    /// relative to the server (`/storage/v1/signed/…`) when the adapter serves it through Reactor itself.
    func signedURL(_ method: SignedBlobURL.Method, key: BlobKey, in bucket: BucketName, expiresIn: Duration) async throws -> SignedBlobURL

    // MARK: Multipart uploads

    /// Starts a multipart upload and returns its id. Parts are numbered 1–10,000; all but the last must be at least
    /// ``BlobStoreLimits/minimumPartSize`` bytes.
    func createMultipartUpload(_ key: BlobKey, in bucket: BucketName, options: BlobPutOptions) async throws -> MultipartUploadID
    /// Uploads (or replaces) one part of an upload.
    func uploadPart(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, partNumber: Int, body: BlobBody) async throws -> BlobPart
    /// Joins the named parts, in order, into the object. Throws ``ReactorError/Code/invalidPart`` when a part is
    /// missing, out of order or has another ETag.
    func completeMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, parts: [BlobPart]) async throws -> BlobInfo
    /// Discards an upload and its parts.
    func abortMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName) async throws
}

extension BlobStore {
    /// Stores `bytes` at `key` (a convenience for small objects).
    @discardableResult
    public func put(_ key: BlobKey, in bucket: BucketName, bytes: some Collection<UInt8> & Sendable, options: BlobPutOptions = BlobPutOptions()) async throws -> BlobInfo {
        try await put(key, in: bucket, body: .bytes(bytes), options: options)
    }

    /// The whole object in memory (a convenience for small objects; refuses objects over `limit` bytes with
    /// ``ReactorError/Code/payloadTooLarge``).
    public func bytes(_ key: BlobKey, in bucket: BucketName, limit: Int = 16 << 20) async throws -> [UInt8] {
        let download = try await get(key, in: bucket, range: nil)
        return try await download.body.collect(limit: limit)
    }
}

/// Limits every adapter shares.
public enum BlobStoreLimits {
    /// The smallest size of a multipart upload's parts but the last (S3's limit).
    public static let minimumPartSize = 5 << 20
    /// The highest part number.
    public static let maximumPartNumber = 10_000
    /// The largest page a listing returns.
    public static let maximumListLimit = 1000
    /// The longest a signed URL may stay valid (S3's limit for SigV4 presigned URLs: seven days).
    public static let maximumSignedURLLifetime: Duration = .seconds(7 * 24 * 3600)
}
