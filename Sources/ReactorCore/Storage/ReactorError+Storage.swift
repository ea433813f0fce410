extension ReactorError.Code {
    /// A blob key or bucket name is not acceptable (see ``BlobKey`` and ``BucketName``). HTTP 400.
    public static let invalidBlobKey = ReactorError.Code("INVALID_BLOB_KEY")
    /// No bucket has that name. HTTP 404.
    public static let bucketNotFound = ReactorError.Code("BUCKET_NOT_FOUND")
    /// A bucket with that name exists already. HTTP 409.
    public static let bucketExists = ReactorError.Code("BUCKET_EXISTS")
    /// The bucket still holds objects (or unfinished multipart uploads) and cannot be deleted. HTTP 409.
    public static let bucketNotEmpty = ReactorError.Code("BUCKET_NOT_EMPTY")
    /// No object has that key in the bucket. HTTP 404.
    public static let blobNotFound = ReactorError.Code("BLOB_NOT_FOUND")
    /// The uploaded bytes do not match the checksum the client announced (SHA-256 or `Content-MD5`); nothing was
    /// stored. HTTP 400.
    public static let blobChecksumMismatch = ReactorError.Code("BLOB_CHECKSUM_MISMATCH")
    /// The requested byte range lies outside the object. HTTP 416.
    public static let rangeNotSatisfiable = ReactorError.Code("RANGE_NOT_SATISFIABLE")
    /// No multipart upload has that id for that key (never created, completed or aborted). HTTP 404.
    public static let uploadNotFound = ReactorError.Code("UPLOAD_NOT_FOUND")
    /// A multipart completion names a part that was not uploaded, out of order, or with another ETag. HTTP 400.
    public static let invalidPart = ReactorError.Code("INVALID_PART")
    /// A signed URL is malformed, tampered with, expired or used with another method. HTTP 403.
    public static let signedURLInvalid = ReactorError.Code("SIGNED_URL_INVALID")
    /// The blob backend (an S3 server, the disk) cannot be reached or failed; `details.backend` names it. HTTP 503
    /// when transient, 500 otherwise.
    public static let storageUnavailable = ReactorError.Code("STORAGE_UNAVAILABLE")
}
