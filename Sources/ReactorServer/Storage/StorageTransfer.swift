import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReactorCore

/// Moving one object's bytes over HTTP, for the object routes and the signed-URL routes alike: the request body
/// streamed straight into the store, the store's body streamed straight into the response.
struct StorageTransfer: Sendable {
    let store: any BlobStore
    let maxObjectBytes: Int

    static let sha256Header = HTTPField.Name("x-reactor-sha256")!
    static let amzSHA256Header = HTTPField.Name("x-amz-content-sha256")!
    static let contentMD5Header = HTTPField.Name("Content-MD5")!

    /// `PUT`: stores the body. `Content-Type`, `x-reactor-meta-*`, `Content-MD5` and `x-reactor-sha256` (or
    /// `x-amz-content-sha256` with a hex digest) are honoured; a body over `max_object_bytes` is 413 and a checksum
    /// mismatch 400, both storing nothing.
    func put(_ request: Request, key: BlobKey, bucket: BucketName) async throws -> Response {
        let length = try Self.contentLength(request)
        if let length, length > Int64(maxObjectBytes) {
            throw ReactorError(.payloadTooLarge, "the object is larger than \(maxObjectBytes) bytes (storage.max_object_bytes)",
                               details: ["limit": String(maxObjectBytes)])
        }
        let options = try Self.putOptions(request.headers, maxSize: Int64(maxObjectBytes))
        let info = try await store.put(key, in: bucket, body: BlobBody(request.body, length: length), options: options)
        var response = JSONResponse.make(StorageRepresentations.object(info))
        response.headers[.eTag] = info.etag
        return response
    }

    /// `GET`/`HEAD`: the object, or the `Range` asked for (206 with `Content-Range`; 416 when unsatisfiable), or 304
    /// when `If-None-Match` names its ETag.
    func get(_ request: Request, key: BlobKey, bucket: BucketName) async throws -> Response {
        if request.method == .head {
            guard let info = try await store.head(key, in: bucket) else { throw BlobErrors.blobNotFound(key, in: bucket) }
            if Self.matches(request.headers[.ifNoneMatch], info.etag) { return Self.notModified(info) }
            var headers = StorageRepresentations.headers(info)
            headers[.contentLength] = String(info.size)
            return Response(status: .ok, headers: headers)
        }
        let range = request.headers[.range].flatMap(BlobByteRange.init(httpHeader:))
        if let match = request.headers[.ifNoneMatch], let info = try await store.head(key, in: bucket), Self.matches(match, info.etag) {
            return Self.notModified(info)
        }
        let download: BlobDownload
        do {
            download = try await store.get(key, in: bucket, range: range)
        } catch let error as ReactorError where error.code == .rangeNotSatisfiable {
            var response = JSONResponse.error(error)
            let size = try await store.head(key, in: bucket)?.size ?? 0
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        }
        var headers = StorageRepresentations.headers(download.info)
        let count = download.range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        headers[.contentLength] = String(count)
        if download.isPartial, let range = download.range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(download.info.size)"
        }
        let body = download.body
        return Response(status: download.isPartial ? .partialContent : .ok, headers: headers,
                        body: ResponseBody(contentLength: Int(count)) { writer in
                            for try await buffer in body { try await writer.write(buffer) }
                            try await writer.finish(nil)
                        })
    }

    static func notModified(_ info: BlobInfo) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = info.etag
        return Response(status: .notModified, headers: headers)
    }

    /// Whether an `If-None-Match` value names `etag` (or is `*`); weak validators compare by their opaque part.
    static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }

    static func contentLength(_ request: Request) throws -> Int64? {
        guard let text = request.headers[.contentLength] else { return nil }
        guard let length = Int64(text.trimmingCharacters(in: .whitespaces)), length >= 0 else {
            throw ReactorError(.badRequest, "Content-Length is not a number")
        }
        return length
    }

    /// The put options the request's headers ask for.
    static func putOptions(_ headers: HTTPFields, maxSize: Int64) throws -> BlobPutOptions {
        var options = BlobPutOptions(maxSize: maxSize)
        if let type = headers[.contentType]?.trimmingCharacters(in: .whitespaces), !type.isEmpty { options.contentType = type }
        for field in headers {
            let name = field.name.canonicalName
            if name.hasPrefix(StorageRepresentations.metadataHeaderPrefix) {
                options.metadata[String(name.dropFirst(StorageRepresentations.metadataHeaderPrefix.count))] = field.value
            }
        }
        if let sha = headers[sha256Header] {
            options.expectedSHA256 = sha.trimmingCharacters(in: .whitespaces)
        } else if let amz = headers[amzSHA256Header]?.trimmingCharacters(in: .whitespaces), amz.utf8.count == 64 {
            // S3 clients also send UNSIGNED-PAYLOAD or STREAMING-…: only a digest is a checksum.
            options.expectedSHA256 = amz
        }
        if let md5 = headers[contentMD5Header] { options.expectedMD5 = md5.trimmingCharacters(in: .whitespaces) }
        do {
            try options.validate()
        } catch let error as ReactorError {
            throw ReactorError(.badRequest, error.message, details: error.details)
        }
        return options
    }
}
