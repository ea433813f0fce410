import Foundation

/// What a store knows about an object.
public struct BlobInfo: Sendable, Hashable, Codable {
    /// The bucket that holds the object.
    public var bucket: BucketName
    /// The object's key.
    public var key: BlobKey
    /// Its size in bytes.
    public var size: Int64
    /// Its media type (`application/octet-stream` when none was given).
    public var contentType: String
    /// An opaque validator that changes whenever the bytes change (quoted as in HTTP: `"…"`).
    public var etag: String
    /// The SHA-256 of the bytes in lowercase hex, when the backend knows it (filesystem and memory always; S3 when
    /// the object was stored through Reactor).
    public var sha256: String?
    /// User metadata given at `put` (keys lowercase ASCII).
    public var metadata: [String: String]
    /// When the object was last written.
    public var lastModified: Date

    public init(bucket: BucketName, key: BlobKey, size: Int64, contentType: String, etag: String, sha256: String? = nil, metadata: [String: String] = [:], lastModified: Date) {
        self.bucket = bucket
        self.key = key
        self.size = size
        self.contentType = contentType
        self.etag = etag
        self.sha256 = sha256
        self.metadata = metadata
        self.lastModified = lastModified
    }
}

/// How a `put` stores an object.
public struct BlobPutOptions: Sendable, Hashable {
    /// The media type to store (`application/octet-stream` by default).
    public var contentType: String
    /// User metadata (at most 2 KiB in total; keys lowercase ASCII letters, digits and `-`).
    public var metadata: [String: String]
    /// When set, the SHA-256 (lowercase hex) the bytes must have; a mismatch stores nothing.
    public var expectedSHA256: String?
    /// When set, the base64 MD5 (`Content-MD5`) the bytes must have; a mismatch stores nothing.
    public var expectedMD5: String?
    /// When set, the most bytes accepted; a longer body stores nothing.
    public var maxSize: Int64?

    public init(contentType: String = "application/octet-stream", metadata: [String: String] = [:], expectedSHA256: String? = nil, expectedMD5: String? = nil, maxSize: Int64? = nil) {
        self.contentType = contentType
        self.metadata = metadata
        self.expectedSHA256 = expectedSHA256
        self.expectedMD5 = expectedMD5
        self.maxSize = maxSize
    }
}

/// The answer to a `get`: the object's description, the bytes served, and the body.
public struct BlobDownload: Sendable {
    /// The whole object's description.
    public var info: BlobInfo
    /// The bytes the body yields (the whole object, or the requested range), inclusive.
    public var range: ClosedRange<Int64>?
    /// Whether a range was requested (an HTTP 206 rather than 200).
    public var isPartial: Bool
    /// The bytes.
    public var body: BlobBody

    public init(info: BlobInfo, range: ClosedRange<Int64>?, isPartial: Bool, body: BlobBody) {
        self.info = info
        self.range = range
        self.isPartial = isPartial
        self.body = body
    }
}

/// One page of a listing.
public struct BlobListing: Sendable, Hashable {
    /// The objects of this page, in key order.
    public var objects: [BlobInfo]
    /// Pass to the next `list` call for the next page; nil on the last page.
    public var nextContinuation: String?

    public init(objects: [BlobInfo], nextContinuation: String?) {
        self.objects = objects
        self.nextContinuation = nextContinuation
    }
}

/// Who may read a bucket's objects.
public enum BucketAccess: String, Sendable, Hashable, Codable {
    /// Only callers allowed by the server's auth (and holders of signed URLs).
    case `private`
    /// Anyone may read (writes still need a token when auth is on).
    case `public`
}

/// A bucket's description.
public struct BucketInfo: Sendable, Hashable, Codable {
    public var name: BucketName
    public var access: BucketAccess
    public var createdAt: Date

    public init(name: BucketName, access: BucketAccess, createdAt: Date) {
        self.name = name
        self.access = access
        self.createdAt = createdAt
    }
}

/// A multipart upload's id, opaque to callers.
public struct MultipartUploadID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// One uploaded part of a multipart upload.
public struct BlobPart: Sendable, Hashable, Codable {
    /// 1–10,000.
    public var number: Int
    /// The part's ETag (quoted).
    public var etag: String
    /// Its size in bytes.
    public var size: Int64

    public init(number: Int, etag: String, size: Int64) {
        self.number = number
        self.etag = etag
        self.size = size
    }
}

/// A URL that grants one method on one object until it expires.
public struct SignedBlobURL: Sendable, Hashable, Codable {
    /// What the URL allows.
    public enum Method: String, Sendable, Hashable, Codable {
        case get = "GET"
        case put = "PUT"
    }
    /// The URL: absolute (an S3 presigned URL), or relative to the Reactor server that signed it (starts with `/`).
    public var url: String
    public var method: Method
    public var expiresAt: Date

    public init(url: String, method: Method, expiresAt: Date) {
        self.url = url
        self.method = method
        self.expiresAt = expiresAt
    }
}
