import AsyncHTTPClient
import NIOCore
import ReactorCore

/// Turns S3's XML errors and transport failures into ``ReactorError``s.
enum S3ErrorMapping {
    /// What a request was about, for error details.
    struct Context: Sendable {
        var bucket: BucketName?
        var key: BlobKey?
        var uploadID: String?
    }

    /// The error for an S3 error answer: `status` with the XML `<Code>` (nil for a bodiless HEAD answer).
    static func map(status: Int, code: String?, message: String?, context: Context) -> ReactorError {
        var details: [String: String] = ["backend": "s3", "status": String(status)]
        if let bucket = context.bucket { details["bucket"] = bucket.rawValue }
        if let key = context.key { details["key"] = key.rawValue }
        if let code { details["s3Code"] = code }
        let said = message.map { ": \($0)" } ?? ""
        let bucketName = context.bucket?.rawValue ?? "?"
        let keyName = context.key?.rawValue ?? "?"
        switch code ?? "" {
        case "NoSuchKey":
            return ReactorError(.blobNotFound, "no object '\(keyName)' in bucket '\(bucketName)'", details: details)
        case "NoSuchBucket":
            return ReactorError(.bucketNotFound, "no bucket '\(bucketName)'", details: details)
        case "BucketAlreadyExists", "BucketAlreadyOwnedByYou":
            return ReactorError(.bucketExists, "bucket '\(bucketName)' exists already", details: details)
        case "BucketNotEmpty":
            return ReactorError(.bucketNotEmpty, "bucket '\(bucketName)' is not empty", details: details)
        case "NoSuchUpload":
            if let upload = context.uploadID { details["uploadId"] = upload }
            return ReactorError(.uploadNotFound, "no multipart upload '\(context.uploadID ?? "?")' for '\(keyName)'", details: details)
        case "InvalidPart", "InvalidPartOrder", "EntityTooSmall":
            return ReactorError(.invalidPart, "the multipart upload's parts are not acceptable\(said)", details: details)
        case "InvalidRange":
            return ReactorError(.rangeNotSatisfiable, "the range lies outside the object", details: details)
        case "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch":
            return ReactorError(.blobChecksumMismatch, "the bytes do not match their checksum; nothing was stored", details: details)
        case "EntityTooLarge":
            return ReactorError(.payloadTooLarge, "the object is larger than the S3 server accepts", details: details)
        case "InvalidArgument":
            return ReactorError(.invalidArgument, "the S3 server refused an argument\(said)", details: details)
        case "InvalidBucketName":
            return ReactorError(.invalidBlobKey, "the S3 server refused the bucket name '\(bucketName)'\(said)", details: details)
        case "KeyTooLongError":
            return ReactorError(.invalidBlobKey, "the S3 server refused the key\(said)", details: details)
        default:
            break
        }
        if code == nil, status == 404 {
            return context.key == nil
                ? ReactorError(.bucketNotFound, "no bucket '\(bucketName)'", details: details)
                : ReactorError(.blobNotFound, "no object '\(keyName)' in bucket '\(bucketName)'", details: details)
        }
        if status == 416 {
            return ReactorError(.rangeNotSatisfiable, "the range lies outside the object", details: details)
        }
        // Credentials, signatures, throttling, server faults: the backend is not usable for this request. A 5xx or a
        // throttle may pass; a refused credential will not.
        // The message reaches clients (STORAGE_UNAVAILABLE is client-facing): status and S3 code only; S3's own
        // message stays in the details, for the log.
        let transient = status >= 500 || code == "SlowDown" || code == "RequestTimeout"
        if let message { details["s3Message"] = message }
        return ReactorError(.storageUnavailable, "the S3 server answered \(status)" + (code.map { " \($0)" } ?? ""),
                            details: details, isTransient: transient)
    }

    /// The error for a request that got no answer (refused connection, timeout, dropped connection).
    static func unreachable(_ error: any Error, endpoint: String) -> ReactorError {
        if let reactor = error as? ReactorError { return reactor }
        // The message reaches clients: no address, no underlying error (both in the details, for the log).
        let why: String
        switch error as? HTTPClientError {
        case .some(.connectTimeout): why = "connecting timed out"
        case .some(.readTimeout): why = "it stopped answering (read timeout)"
        case .some(.deadlineExceeded): why = "the request timed out"
        default: why = "the connection failed"
        }
        return ReactorError(.storageUnavailable, "the S3 server cannot be reached: \(why)",
                            details: ["backend": "s3", "endpoint": endpoint, "underlying": "\(error)"], isTransient: true)
    }
}
