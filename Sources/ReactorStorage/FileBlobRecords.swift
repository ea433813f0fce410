import Foundation
import ReactorCore

/// The sidecar of one stored object (`objects/<aa>/<hash>.json`): its description and the name of its data file
/// (`<hash>.<version>.data`, written once and never changed, so a reader that opened it keeps reading one version).
struct FileObjectRecord: Codable, Sendable {
    var info: BlobInfo
    var dataFile: String
}

/// `bucket.json`: a bucket's access and creation time.
struct FileBucketRecord: Codable, Sendable {
    var access: BucketAccess
    var createdAt: Date
}

/// `.uploads/<id>/upload.json`: what a multipart upload will store.
struct FileUploadRecord: Codable, Sendable {
    var bucket: BucketName
    var key: BlobKey
    var contentType: String
    var metadata: [String: String]
    var expectedSHA256: String?
    var expectedMD5: String?
    var maxSize: Int64?

    init(bucket: BucketName, key: BlobKey, options: BlobPutOptions) {
        self.bucket = bucket
        self.key = key
        self.contentType = options.contentType
        self.metadata = options.metadata
        self.expectedSHA256 = options.expectedSHA256
        self.expectedMD5 = options.expectedMD5
        self.maxSize = options.maxSize
    }

    var options: BlobPutOptions {
        BlobPutOptions(contentType: contentType, metadata: metadata, expectedSHA256: expectedSHA256, expectedMD5: expectedMD5, maxSize: maxSize)
    }
}

/// `.uploads/<id>/part-<n>.json`: an uploaded part and its data file.
struct FilePartRecord: Codable, Sendable {
    var part: BlobPart
    var dataFile: String
}

enum RecordCoding {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw ReactorError(.storageUnavailable, "the blob store holds an unreadable record", details: ["backend": "fs"])
        }
    }
}
