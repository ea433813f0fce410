/// An object's key in a bucket, validated once for every adapter.
///
/// A key is 1–1024 bytes of UTF-8 (S3's limit) and is a relative path of `/`-separated segments: it does not start
/// with `/`, has no empty, `.` or `..` segment, no backslash, and no NUL or other control character (U+0000–U+001F,
/// U+007F). So a key can never name a file outside a bucket's directory, whatever the backend. Anything else throws
/// ``ReactorError/Code/invalidBlobKey``; callers that receive keys percent-encoded decode them first, so `%2e%2e` is
/// checked as `..`.
public struct BlobKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The longest key in bytes.
    public static let maxLength = 1024

    /// The key as given.
    public let rawValue: String

    /// Validates `rawValue`.
    public init(_ rawValue: String) throws {
        try BlobKey.validate(rawValue)
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (lhs: BlobKey, rhs: BlobKey) -> Bool { lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8) }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The key's segments.
    public var segments: [Substring] { rawValue.split(separator: "/", omittingEmptySubsequences: false) }

    /// Throws ``ReactorError/Code/invalidBlobKey`` unless `key` is a valid key.
    public static func validate(_ key: String) throws {
        func fail(_ why: String) -> ReactorError {
            ReactorError(.invalidBlobKey, "invalid object key: \(why)", details: ["key": String(key.prefix(200))])
        }
        guard !key.isEmpty else { throw fail("it is empty") }
        guard key.utf8.count <= maxLength else { throw fail("it is longer than \(maxLength) bytes") }
        for byte in key.utf8 {
            guard byte >= 0x20, byte != 0x7F else { throw fail("it contains a control character") }
            guard byte != 0x5C else { throw fail("it contains a backslash") }
        }
        guard !key.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) else {
            throw fail("it contains a control character")
        }
        guard key.utf8.first != 0x2F else { throw fail("it starts with '/' (keys are relative)") }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty else { throw fail("it has an empty segment (a trailing or double '/')") }
            guard segment != "." && segment != ".." else { throw fail("'.' and '..' segments are not allowed") }
        }
    }
}

/// A bucket's name: 3–63 characters of lowercase letters, digits, `-` and `.`, starting and ending with a letter or
/// digit, without `..` (S3's rules, so every name works on every backend). Anything else throws
/// ``ReactorError/Code/invalidBlobKey``.
public struct BucketName: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The name as given.
    public let rawValue: String

    /// Validates `rawValue`.
    public init(_ rawValue: String) throws {
        try BucketName.validate(rawValue)
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (lhs: BucketName, rhs: BucketName) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Throws ``ReactorError/Code/invalidBlobKey`` unless `name` is a valid bucket name.
    public static func validate(_ name: String) throws {
        func fail(_ why: String) -> ReactorError {
            ReactorError(.invalidBlobKey, "invalid bucket name: \(why)", details: ["bucket": String(name.prefix(100))])
        }
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { throw fail("it must be 3 to 63 characters long") }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) }
        for b in bytes where !(alnum(b) || b == 0x2D || b == 0x2E) {
            throw fail("only lowercase letters, digits, '-' and '.' are allowed")
        }
        guard alnum(bytes[0]), alnum(bytes[bytes.count - 1]) else { throw fail("it must start and end with a letter or digit") }
        guard !name.contains("..") else { throw fail("it contains '..'") }
    }
}
