import Crypto
import Foundation
import NIOHTTP1
import ReactorCore

extension S3BlobStore {
    /// The bucket tag that holds a bucket's ``BucketAccess``.
    static let accessTag = "reactor-access"

    public func createBucket(_ bucket: BucketName, access: BucketAccess) async throws -> BucketInfo {
        // S3 in us-east-1 (and moto) answers 200 to creating a bucket one owns already: ask first.
        if try await bucketExists(bucket) {
            throw ReactorError(.bucketExists, "bucket '\(bucket)' exists already", details: ["bucket": bucket.rawValue])
        }
        var body: S3Transport.Body = .none
        let region = transport.configuration.region
        if region != "us-east-1" {
            body = .bytes(Array("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(S3XMLWriter.escape(region))</LocationConstraint></CreateBucketConfiguration>".utf8))
        }
        _ = try await transport.send(.PUT, bucket: bucket, body: body)
        try await setAccess(access, of: bucket)
        guard let info = try await self.bucket(bucket) else {
            throw ReactorError(.storageUnavailable, "bucket '\(bucket)' was created but is not listed", details: ["backend": "s3", "bucket": bucket.rawValue])
        }
        return info
    }

    public func bucket(_ bucket: BucketName) async throws -> BucketInfo? {
        let listed = try await serverBuckets()
        guard let created = listed[bucket] else { return nil }
        return BucketInfo(name: bucket, access: try await access(of: bucket), createdAt: created)
    }

    public func listBuckets() async throws -> [BucketInfo] {
        let listed = try await serverBuckets()
        return try await withThrowingTaskGroup(of: BucketInfo.self) { group in
            for (name, created) in listed {
                group.addTask { BucketInfo(name: name, access: try await self.access(of: name), createdAt: created) }
            }
            var infos: [BucketInfo] = []
            for try await info in group { infos.append(info) }
            return infos.sorted { $0.name < $1.name }
        }
    }

    public func deleteBucket(_ bucket: BucketName) async throws {
        // S3 deletes a bucket whose only content is unfinished multipart uploads; the protocol calls it not empty.
        let uploads = try await transport.sendForXML(.GET, bucket: bucket, query: [("max-uploads", "1"), ("uploads", "")])
        if !uploads.all("Upload").isEmpty {
            throw ReactorError(.bucketNotEmpty, "bucket '\(bucket)' has unfinished multipart uploads", details: ["bucket": bucket.rawValue])
        }
        _ = try await transport.send(.DELETE, bucket: bucket)
    }

    /// Whether the server has the bucket (`HEAD` of the bucket).
    private func bucketExists(_ bucket: BucketName) async throws -> Bool {
        do {
            _ = try await transport.send(.HEAD, bucket: bucket)
            return true
        } catch let error as ReactorError where error.code == .bucketNotFound {
            return false
        }
    }

    /// The server's buckets under the prefix, by Reactor name, with their creation dates (names that are not valid
    /// bucket names are skipped).
    private func serverBuckets() async throws -> [BucketName: Date] {
        let xml = try await transport.sendForXML(.GET, bucket: nil)
        let prefix = transport.configuration.bucketPrefix
        var result: [BucketName: Date] = [:]
        for node in xml.child("Buckets")?.all("Bucket") ?? [] {
            guard let name = node.value("Name"), name.hasPrefix(prefix),
                  let bucket = try? BucketName(String(name.dropFirst(prefix.count)))
            else { continue }
            result[bucket] = node.value("CreationDate").flatMap(S3ObjectHeaders.parseISODate) ?? Date(timeIntervalSince1970: 0)
        }
        return result
    }

    private func access(of bucket: BucketName) async throws -> BucketAccess {
        let xml: S3XMLNode
        do {
            xml = try await transport.sendForXML(.GET, bucket: bucket, query: [("tagging", "")])
        } catch let error as ReactorError where error.details["s3Code"] == "NoSuchTagSet" {
            return .private
        }
        for tag in xml.child("TagSet")?.all("Tag") ?? [] where tag.value("Key") == Self.accessTag {
            return tag.value("Value") == BucketAccess.public.rawValue ? .public : .private
        }
        return .private
    }

    private func setAccess(_ access: BucketAccess, of bucket: BucketName) async throws {
        let document = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>\(Self.accessTag)</Key><Value>\(access.rawValue)</Value></Tag></TagSet></Tagging>"
        let bytes = Array(document.utf8)
        // PutBucketTagging requires Content-MD5.
        let md5 = Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
        _ = try await transport.send(.PUT, bucket: bucket, query: [("tagging", "")], headers: [("content-md5", md5)], body: .bytes(bytes))
    }
}
