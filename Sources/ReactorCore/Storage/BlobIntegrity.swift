import Crypto
import Foundation
import NIOCore

/// Counts, hashes and limits an object's bytes while they stream in: the SHA-256 every adapter records, the optional
/// `Content-MD5` check and the size limit of ``BlobPutOptions``. Adapters feed every buffer to ``update(_:)`` and call
/// ``finish()`` before they make the object visible.
public struct BlobIntegrity: Sendable {
    private var sha256 = SHA256()
    private var md5: Insecure.MD5?
    private let options: BlobPutOptions
    /// The bytes seen so far.
    public private(set) var size: Int64 = 0

    /// A fresh check for a put with `options`. Throws ``ReactorError/Code/invalidArgument`` when the options are
    /// malformed (see ``BlobPutOptions/validate()``), or ``ReactorError/Code/payloadTooLarge`` when `length` (a
    /// `Content-Length`) is already over `maxSize`.
    public init(options: BlobPutOptions, length: Int64? = nil) throws {
        try options.validate()
        self.options = options
        if options.expectedMD5 != nil { md5 = Insecure.MD5() }
        if let length, let maxSize = options.maxSize, length > maxSize { throw Self.tooLarge(maxSize) }
    }

    /// Adds `buffer`'s readable bytes. Throws ``ReactorError/Code/payloadTooLarge`` past `maxSize`.
    public mutating func update(_ buffer: ByteBuffer) throws {
        size += Int64(buffer.readableBytes)
        if let maxSize = options.maxSize, size > maxSize { throw Self.tooLarge(maxSize) }
        buffer.withUnsafeReadableBytes { bytes in
            sha256.update(bufferPointer: bytes)
            md5?.update(bufferPointer: bytes)
        }
    }

    /// The SHA-256 of all bytes (lowercase hex). Throws ``ReactorError/Code/blobChecksumMismatch`` when it, or the
    /// MD5, differs from what the options expect.
    public func finish() throws -> String {
        let digest = Self.hex(sha256.finalize())
        if let expected = options.expectedSHA256, expected.lowercased() != digest {
            throw ReactorError(.blobChecksumMismatch, "the body's SHA-256 is not the one announced; nothing was stored",
                               details: ["expected": expected.lowercased(), "actual": digest])
        }
        if let expected = options.expectedMD5, let md5 {
            let actual = Data(md5.finalize()).base64EncodedString()
            guard actual == expected else {
                throw ReactorError(.blobChecksumMismatch, "the body's MD5 is not the Content-MD5 announced; nothing was stored",
                                   details: ["expected": expected, "actual": actual])
            }
        }
        return digest
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The quoted ETag of an object whose SHA-256 is `sha256`.
    public static func etag(sha256: String) -> String { "\"\(sha256.prefix(32))\"" }

    private static func tooLarge(_ limit: Int64) -> ReactorError {
        ReactorError(.payloadTooLarge, "the object is larger than \(limit) bytes; nothing was stored", details: ["limit": String(limit)])
    }
}

extension BlobPutOptions {
    /// The most bytes of user metadata (keys and values together).
    public static let maximumMetadataBytes = 2048

    /// Throws ``ReactorError/Code/invalidArgument`` when the content type has control characters or is over 255
    /// bytes, a metadata key is not 1–128 lowercase ASCII letters, digits and `-`, a value has control characters, the
    /// metadata exceeds ``maximumMetadataBytes``, the SHA-256 is not 64 hex digits, the MD5 is not 24 base64
    /// characters, or `maxSize` is negative.
    public func validate() throws {
        func fail(_ message: String, _ field: String) -> ReactorError {
            ReactorError(.invalidArgument, message, details: ["field": field])
        }
        func printable(_ text: String) -> Bool { text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F } }
        guard !contentType.isEmpty, contentType.utf8.count <= 255, printable(contentType) else {
            throw fail("the content type must be 1 to 255 printable characters", "contentType")
        }
        var total = 0
        for (key, value) in metadata {
            let keyOK = (1...128).contains(key.utf8.count) && key.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D
            }
            guard keyOK else { throw fail("metadata keys are 1 to 128 lowercase letters, digits and '-'", "metadata") }
            guard printable(value) else { throw fail("metadata values must not contain control characters", "metadata") }
            total += key.utf8.count + value.utf8.count
        }
        guard total <= Self.maximumMetadataBytes else {
            throw fail("the metadata is larger than \(Self.maximumMetadataBytes) bytes", "metadata")
        }
        if let sha = expectedSHA256 {
            guard sha.utf8.count == 64, sha.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else {
                throw fail("the expected SHA-256 must be 64 hex digits", "sha256")
            }
        }
        if let md5 = expectedMD5 {
            guard md5.utf8.count == 24, Data(base64Encoded: md5)?.count == 16 else {
                throw fail("Content-MD5 must be the base64 of 16 bytes", "md5")
            }
        }
        if let maxSize, maxSize < 0 { throw fail("maxSize must not be negative", "maxSize") }
    }
}
