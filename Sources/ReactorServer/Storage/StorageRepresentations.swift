import Foundation
import HTTPTypes
import ReactorCore

/// The JSON and header forms of storage values in `/storage/v1` answers.
enum StorageRepresentations {
    /// `{"name", "access", "public", "createdAt"}`.
    static func bucket(_ info: BucketInfo) -> JSONValue {
        .object(["name": .string(info.name.rawValue), "access": .string(info.access.rawValue), "public": .bool(info.access == .public),
                 "createdAt": .string(iso8601(info.createdAt))])
    }

    /// `{"bucket", "key", "size", "contentType", "etag", "sha256"?, "metadata", "lastModified"}`.
    static func object(_ info: BlobInfo) -> JSONValue {
        var fields: [String: JSONValue] = [
            "bucket": .string(info.bucket.rawValue), "key": .string(info.key.rawValue), "size": .number(Double(info.size)),
            "contentType": .string(info.contentType), "etag": .string(info.etag),
            "metadata": .object(info.metadata.mapValues { .string($0) }), "lastModified": .string(iso8601(info.lastModified)),
        ]
        if let sha256 = info.sha256 { fields["sha256"] = .string(sha256) }
        return .object(fields)
    }

    /// `{"url", "method", "expiresAt"}`.
    static func signedURL(_ url: SignedBlobURL) -> JSONValue {
        .object(["url": .string(url.url), "method": .string(url.method.rawValue), "expiresAt": .string(iso8601(url.expiresAt))])
    }

    static func iso8601(_ date: Date) -> String {
        Clock.iso8601(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// The prefix of the request and response headers that carry user metadata (`x-reactor-meta-author: Ada`).
    static let metadataHeaderPrefix = "x-reactor-meta-"

    /// The headers describing an object: type, ETag, last modification, SHA-256, metadata, `Accept-Ranges`.
    static func headers(_ info: BlobInfo) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = info.contentType
        fields[.eTag] = info.etag
        fields[.lastModified] = httpDate(info.lastModified)
        fields[.acceptRanges] = "bytes"
        if let sha256 = info.sha256, let name = HTTPField.Name("x-reactor-sha256") { fields[name] = sha256 }
        for (key, value) in info.metadata.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPField.Name(metadataHeaderPrefix + key) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }
}
