import Foundation
import NIOHTTP1
import ReactorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The object headers Reactor writes and reads: content type, user metadata (`x-amz-meta-*`) and the SHA-256 kept
/// in `x-amz-meta-reactor-sha256`.
enum S3ObjectHeaders {
    /// The metadata key that holds the object's SHA-256 (lowercase hex); never shown as user metadata.
    static let sha256Key = "reactor-sha256"
    /// The prefix of user metadata headers.
    static let metaPrefix = "x-amz-meta-"
    /// The largest total size of user metadata (keys and values), as ``BlobPutOptions`` says.
    static let maxMetadataBytes = 2048

    /// Throws ``ReactorError/Code/invalidArgument`` unless `options` are acceptable: metadata keys of lowercase ASCII
    /// letters, digits and `-`, 2 KiB in total; a SHA-256 of 64 hex digits; a content type without control characters.
    static func validate(_ options: BlobPutOptions) throws {
        func fail(_ why: String) -> ReactorError { ReactorError(.invalidArgument, why, details: ["argument": "options"]) }
        var total = 0
        for (key, value) in options.metadata {
            guard !key.isEmpty, key.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
                throw fail("metadata key '\(key.prefix(60))' must be lowercase ASCII letters, digits and '-'")
            }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw fail("metadata value of '\(key)' contains a control character")
            }
            total += key.utf8.count + value.utf8.count
        }
        guard total <= maxMetadataBytes else { throw fail("metadata is \(total) bytes; at most \(maxMetadataBytes) are allowed") }
        if let sha = options.expectedSHA256 {
            guard sha.utf8.count == 64, sha.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }) else {
                throw fail("the expected SHA-256 must be 64 hex digits")
            }
        }
        guard !options.contentType.isEmpty, options.contentType.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw fail("the content type must be printable ASCII")
        }
    }

    /// The headers that store `options` (and `sha256`, when known) on an object.
    static func headers(_ options: BlobPutOptions, sha256: String?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("content-type", options.contentType)]
        for (key, value) in options.metadata.sorted(by: { $0.key < $1.key }) where key != sha256Key {
            headers.append((metaPrefix + key, encodeValue(value)))
        }
        if let sha256 { headers.append((metaPrefix + sha256Key, sha256.lowercased())) }
        return headers
    }

    /// What the headers of a `HEAD` or `GET` answer say of the object. `size` overrides `Content-Length` (a ranged
    /// answer's length is not the object's).
    static func info(_ headers: HTTPHeaders, bucket: BucketName, key: BlobKey, size: Int64? = nil) -> BlobInfo {
        var metadata: [String: String] = [:]
        var sha256: String?
        for (name, value) in headers {
            let lower = name.lowercased()
            guard lower.hasPrefix(metaPrefix) else { continue }
            let metaKey = String(lower.dropFirst(metaPrefix.count))
            if metaKey == sha256Key { sha256 = value } else { metadata[metaKey] = decodeValue(value) }
        }
        let etag = headers.first(name: "etag") ?? "\"\""
        return BlobInfo(
            bucket: bucket, key: key, size: size ?? headers.first(name: "content-length").flatMap { Int64($0) } ?? 0,
            contentType: headers.first(name: "content-type") ?? "application/octet-stream",
            etag: etag.hasPrefix("\"") ? etag : "\"\(etag)\"", sha256: sha256, metadata: metadata,
            lastModified: headers.first(name: "last-modified").flatMap(parseHTTPDate) ?? Date(timeIntervalSince1970: 0))
    }

    /// A metadata value as a header: printable ASCII as it is, anything else RFC 2047 `=?UTF-8?B?…?=` (what AWS SDKs
    /// send, since S3 headers are ASCII).
    static func encodeValue(_ value: String) -> String {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            && !value.hasPrefix("=?") && value.first != " " && value.last != " "
        return plain ? value : "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
    }

    /// The inverse of ``encodeValue(_:)``.
    static func decodeValue(_ header: String) -> String {
        guard header.hasPrefix("=?UTF-8?B?"), header.hasSuffix("?="), header.count >= 12 else { return header }
        let encoded = header.dropFirst(10).dropLast(2)
        guard let data = Data(base64Encoded: String(encoded)) else { return header }
        return String(decoding: data, as: UTF8.self)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// An IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`); nil for anything else.
    static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(clock[0])
        fields.tm_min = Int32(clock[1])
        fields.tm_sec = Int32(clock[2])
        return Date(timeIntervalSince1970: TimeInterval(timegm(&fields)))
    }

    /// An ISO 8601 timestamp as S3's XML writes it (`2009-10-12T17:50:30.000Z`); nil for anything else.
    static func parseISODate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
