/// The errors every adapter throws for the same situations, worded alike.
public enum BlobErrors {
    /// ``ReactorError/Code/bucketNotFound``.
    public static func bucketNotFound(_ bucket: BucketName) -> ReactorError {
        ReactorError(.bucketNotFound, "no bucket '\(bucket)'", details: ["bucket": bucket.rawValue])
    }
    /// ``ReactorError/Code/bucketExists``.
    public static func bucketExists(_ bucket: BucketName) -> ReactorError {
        ReactorError(.bucketExists, "the bucket '\(bucket)' exists already", details: ["bucket": bucket.rawValue])
    }
    /// ``ReactorError/Code/bucketNotEmpty``.
    public static func bucketNotEmpty(_ bucket: BucketName) -> ReactorError {
        ReactorError(.bucketNotEmpty, "the bucket '\(bucket)' still holds objects or unfinished uploads", details: ["bucket": bucket.rawValue])
    }
    /// ``ReactorError/Code/blobNotFound``.
    public static func blobNotFound(_ key: BlobKey, in bucket: BucketName) -> ReactorError {
        ReactorError(.blobNotFound, "no object '\(key)' in bucket '\(bucket)'", details: ["bucket": bucket.rawValue, "key": String(key.rawValue.prefix(200))])
    }
    /// ``ReactorError/Code/uploadNotFound``.
    public static func uploadNotFound(_ upload: MultipartUploadID) -> ReactorError {
        ReactorError(.uploadNotFound, "no multipart upload '\(upload.rawValue.prefix(100))' for this object", details: ["upload": String(upload.rawValue.prefix(100))])
    }
}
