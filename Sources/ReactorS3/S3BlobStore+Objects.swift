import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore

extension S3BlobStore {
    public func get(_ key: BlobKey, in bucket: BucketName, range: BlobByteRange?) async throws -> BlobDownload {
        var headers: [(name: String, value: String)] = []
        if let range {
            headers.append(("range", try Self.rangeHeader(range)))
        }
        let response = try await transport.send(.GET, bucket: bucket, key: key, headers: headers, streaming: true)
        let body = S3ResponseBody(base: response.body, endpoint: transport.configuration.endpoint)
        let length = response.headers.first(name: "content-length").flatMap { Int64($0) }
        if response.status == .partialContent, let served = response.headers.first(name: "content-range").flatMap(Self.parseContentRange) {
            let info = S3ObjectHeaders.info(response.headers, bucket: bucket, key: key, size: served.size)
            return BlobDownload(info: info, range: served.range, isPartial: true, body: BlobBody(body, length: length))
        }
        let info = S3ObjectHeaders.info(response.headers, bucket: bucket, key: key)
        if let range {
            // The server sent the whole object (it ignores some ranges): serve it only when that is what was asked.
            let resolved = try range.resolve(size: info.size)
            guard resolved == 0...(info.size - 1) else {
                throw ReactorError(.storageUnavailable, "the S3 server ignored a range request", details: ["backend": "s3"])
            }
            return BlobDownload(info: info, range: resolved, isPartial: true, body: BlobBody(body, length: length))
        }
        return BlobDownload(info: info, range: info.size > 0 ? 0...(info.size - 1) : nil, isPartial: false, body: BlobBody(body, length: length))
    }

    public func head(_ key: BlobKey, in bucket: BucketName) async throws -> BlobInfo? {
        do {
            let response = try await transport.send(.HEAD, bucket: bucket, key: key)
            return S3ObjectHeaders.info(response.headers, bucket: bucket, key: key)
        } catch let error as ReactorError where error.code == .blobNotFound {
            // A bodiless 404: the object, or the whole bucket, is missing.
            _ = try await transport.send(.HEAD, bucket: bucket)
            return nil
        }
    }

    @discardableResult
    public func delete(_ key: BlobKey, in bucket: BucketName) async throws -> Bool {
        guard try await head(key, in: bucket) != nil else { return false }
        _ = try await transport.send(.DELETE, bucket: bucket, key: key)
        return true
    }

    public func list(in bucket: BucketName, prefix: String, continuation: String?, limit: Int) async throws -> BlobListing {
        guard (1...BlobStoreLimits.maximumListLimit).contains(limit) else {
            throw ReactorError(.invalidArgument, "limit must be 1 to \(BlobStoreLimits.maximumListLimit)",
                               details: ["argument": "limit", "limit": String(BlobStoreLimits.maximumListLimit)])
        }
        guard prefix.utf8.count <= BlobKey.maxLength, !prefix.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw ReactorError(.invalidArgument, "the prefix is not a key prefix", details: ["argument": "prefix"])
        }
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(limit))]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let continuation {
            guard !continuation.isEmpty, continuation.utf8.count <= 4096 else {
                throw ReactorError(.invalidArgument, "the continuation is not one a listing returned", details: ["argument": "continuation"])
            }
            query.append(("continuation-token", continuation))
        }
        let xml = try await transport.sendForXML(.GET, bucket: bucket, query: query)
        let keys = xml.all("Contents").compactMap { $0.value("Key").flatMap { try? BlobKey($0) } }
        let infos = try await withThrowingTaskGroup(of: (Int, BlobInfo?).self) { group in
            var found = [BlobInfo?](repeating: nil, count: keys.count)
            var next = 0
            func start() {
                guard next < keys.count else { return }
                let index = next, key = keys[index]
                next += 1
                group.addTask { (index, try await self.head(key, in: bucket)) }
            }
            for _ in 0..<16 { start() }
            while let (index, info) = try await group.next() {
                found[index] = info
                start()
            }
            return found.compactMap { $0 }
        }
        let truncated = xml.value("IsTruncated") == "true"
        return BlobListing(objects: infos.sorted { $0.key < $1.key }, nextContinuation: truncated ? xml.value("NextContinuationToken") : nil)
    }

    public func copy(_ source: BlobKey, in sourceBucket: BucketName, to destination: BlobKey, in destinationBucket: BucketName) async throws -> BlobInfo {
        let copySource = "/" + transport.serverName(sourceBucket) + "/" + AWSURIEncoding.path(source.rawValue)
        do {
            _ = try await transport.sendForXML(.PUT, bucket: destinationBucket, key: destination, headers: [("x-amz-copy-source", copySource)],
                                               context: .init(bucket: sourceBucket, key: source))
        } catch let error as ReactorError where error.code == .bucketNotFound {
            // Name the bucket that is missing.
            if try await bucket(sourceBucket) == nil { throw error }
            throw ReactorError(.bucketNotFound, "no bucket '\(destinationBucket)'", details: ["bucket": destinationBucket.rawValue, "backend": "s3"])
        }
        guard let info = try await head(destination, in: destinationBucket) else {
            throw ReactorError(.storageUnavailable, "the copy of '\(source)' is not there", details: ["backend": "s3"])
        }
        return info
    }

    /// The `Range` header of `range`; throws ``ReactorError/Code/rangeNotSatisfiable`` for a range that selects
    /// nothing in any object.
    static func rangeHeader(_ range: BlobByteRange) throws -> String {
        func unsatisfiable() -> ReactorError { ReactorError(.rangeNotSatisfiable, "the range selects no bytes") }
        switch range {
        case .from(let start, let end):
            guard start >= 0 else { throw unsatisfiable() }
            if let end {
                guard end >= start else { throw unsatisfiable() }
                return "bytes=\(start)-\(end)"
            }
            return "bytes=\(start)-"
        case .suffix(let count):
            guard count > 0 else { throw unsatisfiable() }
            return "bytes=-\(count)"
        }
    }

    /// `bytes 0-9/100` → (0...9, 100).
    static func parseContentRange(_ header: String) -> (range: ClosedRange<Int64>, size: Int64)? {
        guard header.hasPrefix("bytes ") else { return nil }
        let spec = header.dropFirst(6).split(separator: "/")
        guard spec.count == 2, let size = Int64(spec[1]) else { return nil }
        let bounds = spec[0].split(separator: "-")
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start <= end else { return nil }
        return (start...end, size)
    }
}
