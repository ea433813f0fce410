import Crypto
import Foundation
import ReactorCore

/// The master key of a ``FileVault``: 32 random bytes used as an AES-256-GCM key.
///
/// A key is written as 64 hexadecimal characters or as base64 / base64url of the 32 bytes (``hex``, ``base64``).
/// Its ``description`` never shows the key itself, so a key can be logged or interpolated by mistake without
/// leaking.
public struct VaultKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key length in bytes.
    public static let byteCount = 32

    /// The raw key bytes.
    let bytes: [UInt8]

    /// The key as a CryptoKit key.
    var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

    /// A key from exactly 32 raw bytes; throws ``ReactorError/Code/vaultKey`` for any other length.
    public init(bytes: some Sequence<UInt8>) throws {
        let array = Array(bytes)
        guard array.count == Self.byteCount else {
            throw ReactorError(
                .vaultKey, "a vault key is \(Self.byteCount) bytes, got \(array.count)",
                details: ["expected": "\(Self.byteCount) bytes"])
        }
        self.bytes = array
    }

    /// Parses a key written as 64 hexadecimal characters or as base64 / base64url (padded or not) of 32 bytes.
    /// Surrounding whitespace is ignored.
    ///
    /// Throws ``ReactorError/Code/vaultKey`` saying what is expected; the message never repeats the input.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let bytes = Self.decodeHex(trimmed) ?? Self.decodeBase64(trimmed), bytes.count == Self.byteCount {
            self.bytes = bytes
            return
        }
        let what = trimmed.isEmpty ? "it is empty" : "it is \(trimmed.count) characters that do not decode to \(Self.byteCount) bytes"
        throw ReactorError(
            .vaultKey,
            "the vault key must be 64 hexadecimal characters or the base64 of \(Self.byteCount) bytes; \(what)"
                + " (for example the output of `openssl rand -hex 32`)",
            details: ["expected": "64 hex characters or base64 of 32 bytes"])
    }

    /// A fresh random key (from the system's secure random generator).
    public static func generate() -> VaultKey {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { VaultKey(trusted: Array($0)) }
    }

    private init(trusted bytes: [UInt8]) { self.bytes = bytes }

    /// The key as 64 lowercase hexadecimal characters.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The key as standard, padded base64 (44 characters).
    public var base64: String { Data(bytes).base64EncodedString() }

    /// A short, non-secret identifier of the key (the first 8 hex digits of SHA-256 of the key), for logs and
    /// `reactor doctor`.
    public var fingerprint: String {
        SHA256.hash(data: bytes).prefix(4).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// `VaultKey(fingerprint …)`: never the key itself.
    public var description: String { "VaultKey(fingerprint \(fingerprint))" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    // MARK: Key files

    /// Reads the key in `file` (hex or base64, as ``init(parsing:)`` accepts), or, when the file does not exist,
    /// creates it with a fresh key: parent directories are created, the file gets mode 0600 and holds the key in hex
    /// followed by a newline. This is the zero-configuration default of a development install.
    ///
    /// Creation is exclusive (`O_EXCL`): when two processes race, one creates the file and the other reads it.
    /// Throws ``ReactorError/Code/vaultKey`` when the file exists but does not hold a valid key, or
    /// ``ReactorError/Code/storage`` when it cannot be read or written.
    public static func loadOrCreate(file: URL) throws -> VaultKey {
        try POSIXFile.readOrCreate(file, what: "the vault key file", read: read(path:)) {
            let key = generate()
            return (key, Array((key.hex + "\n").utf8))
        }
    }

    /// The key in `path`, or `nil` when the file does not exist.
    private static func read(path: String) throws -> VaultKey? {
        guard let bytes = try POSIXFile.readIfExists(path) else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ReactorError(.vaultKey, "the vault key file '\(path)' is not text", details: ["file": path])
        }
        do {
            return try VaultKey(parsing: text)
        } catch let error as ReactorError {
            throw ReactorError(.vaultKey, "the vault key file '\(path)' does not hold a valid key: \(error.message)",
                               details: ["file": path])
        }
    }

    // MARK: Decoding

    private static func decodeHex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == Self.byteCount * 2 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x41 + 10
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Base64 or base64url, padded or not: the standard alphabet's `+` and `/` are base64url's `-` and `_`.
    private static func decodeBase64(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        let url = text.utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 }
        return Base64URL.decode(url)
    }
}
