import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore

extension S3BlobStore {
    public func createMultipartUpload(_ key: BlobKey, in bucket: BucketName, options: BlobPutOptions) async throws -> MultipartUploadID {
        try S3ObjectHeaders.validate(options)
        return try await startUpload(key, in: bucket, headers: S3ObjectHeaders.headers(options, sha256: options.expectedSHA256?.lowercased()))
    }

    public func uploadPart(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, partNumber: Int, body: BlobBody) async throws -> BlobPart {
        try Self.checkPartNumber(partNumber)
        guard let length = body.length else {
            let bytes = try await body.collect(limit: Self.maximumBufferedPartSize)
            return try await sendPart(upload, key: key, in: bucket, number: partNumber, bytes: bytes)
        }
        let stream = S3StreamedBody(source: body, length: length, expectedSHA256: nil, expectedMD5: nil, maxSize: nil)
        let response = try await checkingUpload(upload, key: key, in: bucket) {
            try await transport.send(
                .PUT, bucket: bucket, key: key, query: [("partNumber", String(partNumber)), ("uploadId", upload.rawValue)],
                body: .stream(stream, length: length), context: .init(bucket: bucket, key: key, uploadID: upload.rawValue))
        }
        if let failure = stream.failure { throw failure }
        return BlobPart(number: partNumber, etag: Self.etag(response.headers), size: length)
    }

    /// Runs `body`; when it fails with a server error, asks whether the upload exists (ListParts), and throws
    /// ``ReactorError/Code/uploadNotFound`` when it does not (some S3-compatible servers answer a part for an unknown
    /// upload with a 500 instead of `NoSuchUpload`).
    func checkingUpload<T>(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ReactorError where error.code == .storageUnavailable && error.details["status"] != nil {
            _ = try await transport.sendForXML(.GET, bucket: bucket, key: key, query: [("max-parts", "1"), ("uploadId", upload.rawValue)],
                                               context: .init(bucket: bucket, key: key, uploadID: upload.rawValue))
            throw error
        }
    }

    public func completeMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, parts: [BlobPart]) async throws -> BlobInfo {
        guard !parts.isEmpty else {
            throw ReactorError(.invalidPart, "a multipart upload needs at least one part", details: ["bucket": bucket.rawValue, "key": key.rawValue])
        }
        for (previous, part) in zip(parts, parts.dropFirst()) where part.number <= previous.number {
            throw ReactorError(.invalidPart, "parts must be listed in ascending order of their numbers", details: ["partNumber": String(part.number)])
        }
        try await completeUpload(upload, key: key, in: bucket, parts: parts)
        // The parts were uploaded by separate calls: read the object back once for its SHA-256.
        let download = try await get(key, in: bucket, range: nil)
        var sha = SHA256()
        for try await buffer in download.body { buffer.withUnsafeReadableBytes { sha.update(bufferPointer: $0) } }
        let digest = sha.finalize().hexString
        if let claimed = download.info.sha256, claimed != digest {
            _ = try? await transport.send(.DELETE, bucket: bucket, key: key)
            throw ReactorError(.blobChecksumMismatch, "the bytes do not have the expected SHA-256; nothing was stored",
                               details: ["expected": claimed, "actual": digest, "algorithm": "sha256"])
        }
        return try await finish(key, in: bucket, sha256: digest, options: BlobPutOptions())
    }

    public func abortMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName) async throws {
        _ = try await transport.send(.DELETE, bucket: bucket, key: key, query: [("uploadId", upload.rawValue)],
                                     context: .init(bucket: bucket, key: key, uploadID: upload.rawValue))
    }

    // MARK: Helpers shared with `put`

    /// CreateMultipartUpload with the object's headers.
    func startUpload(_ key: BlobKey, in bucket: BucketName, headers: [(name: String, value: String)]) async throws -> MultipartUploadID {
        let xml = try await transport.sendForXML(.POST, bucket: bucket, key: key, query: [("uploads", "")], headers: headers)
        guard let id = xml.value("UploadId"), !id.isEmpty else {
            throw ReactorError(.storageUnavailable, "the S3 server started an upload without an id", details: ["backend": "s3"])
        }
        return MultipartUploadID(id)
    }

    /// UploadPart of bytes in memory.
    func sendPart(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, number: Int, bytes: [UInt8]) async throws -> BlobPart {
        try Self.checkPartNumber(number)
        let response = try await checkingUpload(upload, key: key, in: bucket) {
            try await transport.send(
                .PUT, bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", upload.rawValue)],
                body: .bytes(bytes), context: .init(bucket: bucket, key: key, uploadID: upload.rawValue))
        }
        return BlobPart(number: number, etag: Self.etag(response.headers), size: Int64(bytes.count))
    }

    /// CompleteMultipartUpload.
    func completeUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, parts: [BlobPart]) async throws {
        var document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            document += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XMLWriter.escape(part.etag))</ETag></Part>"
        }
        document += "</CompleteMultipartUpload>"
        _ = try await checkingUpload(upload, key: key, in: bucket) {
            try await transport.sendForXML(.POST, bucket: bucket, key: key, query: [("uploadId", upload.rawValue)],
                                           body: .bytes(Array(document.utf8)), context: .init(bucket: bucket, key: key, uploadID: upload.rawValue))
        }
    }

    static func checkPartNumber(_ number: Int) throws {
        guard (1...BlobStoreLimits.maximumPartNumber).contains(number) else {
            throw ReactorError(.invalidArgument, "part numbers are 1 to \(BlobStoreLimits.maximumPartNumber)",
                               details: ["argument": "partNumber", "partNumber": String(number)])
        }
    }

    static func etag(_ headers: HTTPHeaders) -> String {
        let etag = headers.first(name: "etag") ?? ""
        return etag.hasPrefix("\"") ? etag : "\"\(etag)\""
    }
}
