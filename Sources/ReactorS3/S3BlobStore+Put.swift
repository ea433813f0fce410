import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore

extension S3BlobStore {
    public func put(_ key: BlobKey, in bucket: BucketName, body: BlobBody, options: BlobPutOptions) async throws -> BlobInfo {
        try S3ObjectHeaders.validate(options)
        var options = options
        options.expectedSHA256 = options.expectedSHA256?.lowercased()
        if let max = options.maxSize, let length = body.length, length > max {
            throw ReactorError(.payloadTooLarge, "the object is larger than \(max) bytes", details: ["size": String(length), "limit": String(max)])
        }
        let sha256: String
        if let length = body.length, length > 0, length <= Self.maximumSinglePutSize {
            sha256 = try await putStreamed(key, in: bucket, body: body, length: length, options: options)
        } else {
            sha256 = try await putInParts(key, in: bucket, body: body, options: options)
        }
        return try await finish(key, in: bucket, sha256: sha256, options: options)
    }

    /// One `PUT` streaming `body`; returns the SHA-256 of the bytes sent.
    private func putStreamed(_ key: BlobKey, in bucket: BucketName, body: BlobBody, length: Int64, options: BlobPutOptions) async throws -> String {
        let stream = S3StreamedBody(source: body, length: length, expectedSHA256: options.expectedSHA256,
                                    expectedMD5: options.expectedMD5, maxSize: options.maxSize)
        var headers = S3ObjectHeaders.headers(options, sha256: options.expectedSHA256)
        if let md5 = options.expectedMD5 { headers.append(("content-md5", md5)) }
        _ = try await transport.send(.PUT, bucket: bucket, key: key, headers: headers, body: .stream(stream, length: length))
        if let failure = stream.failure { throw failure }
        guard let sha256 = stream.outcome.sha256 else {
            throw ReactorError(.internal, "the upload ended without its checks", details: ["backend": "s3"])
        }
        return sha256
    }

    /// A body of unknown (or more than 5 GiB) length: read ``partSize`` bytes at a time; a body that ends within the
    /// first part is one `PUT`, a longer one a multipart upload, aborted on any failure. Returns the SHA-256.
    private func putInParts(_ key: BlobKey, in bucket: BucketName, body: BlobBody, options: BlobPutOptions) async throws -> String {
        var iterator = body.makeAsyncIterator()
        var sha = SHA256()
        var md5 = options.expectedMD5 == nil ? nil : Insecure.MD5()
        var total: Int64 = 0
        var pending = ByteBuffer()
        var ended = false
        // Reads up to a part's worth into `pending`.
        func fill() async throws {
            while pending.readableBytes < Self.partSize {
                guard let buffer = try await iterator.next() else { ended = true; return }
                total += Int64(buffer.readableBytes)
                if let max = options.maxSize, total > max {
                    throw ReactorError(.payloadTooLarge, "the object is larger than \(max) bytes", details: ["limit": String(max)])
                }
                buffer.withUnsafeReadableBytes { sha.update(bufferPointer: $0); md5?.update(bufferPointer: $0) }
                var copy = buffer
                pending.writeBuffer(&copy)
            }
        }
        func verified() throws -> String {
            let digest = sha.finalize().hexString
            if let expected = options.expectedSHA256, expected != digest {
                throw ReactorError(.blobChecksumMismatch, "the bytes do not have the expected SHA-256; nothing was stored",
                                   details: ["expected": expected, "actual": digest, "algorithm": "sha256"])
            }
            if let expected = options.expectedMD5, let md5 {
                let actual = Data(md5.finalize()).base64EncodedString()
                if expected != actual {
                    throw ReactorError(.blobChecksumMismatch, "the bytes do not have the expected MD5; nothing was stored",
                                       details: ["expected": expected, "actual": actual, "algorithm": "md5"])
                }
            }
            return digest
        }

        try await fill()
        if ended {
            let digest = try verified()
            var headers = S3ObjectHeaders.headers(options, sha256: digest)
            if let md5 = options.expectedMD5 { headers.append(("content-md5", md5)) }
            _ = try await transport.send(.PUT, bucket: bucket, key: key, headers: headers, body: .bytes(Array(pending.readableBytesView)))
            return digest
        }
        let upload = try await startUpload(key, in: bucket, headers: S3ObjectHeaders.headers(options, sha256: options.expectedSHA256))
        do {
            var parts: [BlobPart] = []
            var digest: String?
            while digest == nil {
                // Every part but the last is at least a full part: read the next one before sending this one, so the
                // last is known (and checked) before it goes.
                let chunk = pending
                pending = ByteBuffer()
                if !ended { try await fill() }
                if ended && pending.readableBytes == 0 { digest = try verified() }
                let part = try await sendPart(upload, key: key, in: bucket, number: parts.count + 1, bytes: Array(chunk.readableBytesView))
                parts.append(part)
            }
            _ = try await completeUpload(upload, key: key, in: bucket, parts: parts)
            return digest ?? ""
        } catch {
            try? await abortMultipartUpload(upload, key: key, in: bucket)
            throw error
        }
    }

    /// Stores the SHA-256 in the object's metadata when it was not sent with it, and describes the object.
    func finish(_ key: BlobKey, in bucket: BucketName, sha256: String, options: BlobPutOptions) async throws -> BlobInfo {
        guard var info = try await head(key, in: bucket) else {
            throw ReactorError(.storageUnavailable, "the object '\(key)' is not there after its upload", details: ["backend": "s3"])
        }
        if info.sha256 != sha256, info.size <= Self.maximumSinglePutSize {
            let copySource = "/" + transport.serverName(bucket) + "/" + AWSURIEncoding.path(key.rawValue)
            var headers = S3ObjectHeaders.headers(BlobPutOptions(contentType: info.contentType, metadata: info.metadata), sha256: sha256)
            headers.append(("x-amz-copy-source", copySource))
            headers.append(("x-amz-metadata-directive", "REPLACE"))
            _ = try await transport.sendForXML(.PUT, bucket: bucket, key: key, headers: headers)
            info = try await head(key, in: bucket) ?? info
        }
        return info
    }
}
