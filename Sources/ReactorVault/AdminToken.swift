import Crypto
import Foundation
import ReactorCore

/// The local admin token: a random secret kept in a file of the data directory (`<data_dir>/admin.token` by
/// default, mode 0600) that `/_admin` accepts as `Authorization: Bearer <token>` from this machine, so that admin calls
/// need a credential even on loopback and the local user (who can read the data directory) has it.
///
/// The token is 32 random bytes written as base64url (43 characters). Its ``description`` never shows it, so it can
/// be interpolated or logged by mistake without leaking; ``matches(_:)`` compares in constant time.
public struct AdminToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The fewest random bytes a token holds (a token file written by hand must decode to at least this many).
    public static let minimumByteCount = 32

    /// The token as written in the file and sent in the header (base64url).
    private let text: [UInt8]

    /// A token from its base64url text; throws ``ReactorError/Code/configInvalid`` (naming `source`, never the
    /// text) when it is not base64url of at least ``minimumByteCount`` bytes. Surrounding whitespace is ignored.
    public init(parsing text: String, source: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Base64URL.decode(trimmed, padding: .forbidden), bytes.count >= Self.minimumByteCount else {
            throw ReactorError(
                .configInvalid,
                "\(source) does not hold an admin token (base64url of at least \(Self.minimumByteCount) random bytes, no padding);"
                    + " delete it to have a new one generated",
                details: ["key": "server.admin_token_file"])
        }
        self.text = Array(trimmed.utf8)
    }

    private init(trusted text: [UInt8]) { self.text = text }

    /// A fresh token: 32 bytes from the system's secure random generator.
    public static func generate() -> AdminToken {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { AdminToken(trusted: Array(Base64URL.encode($0).utf8)) }
    }

    /// The secret itself, for the one place that must show or send it (`reactor token admin`, a client's
    /// `Authorization` header). Never log it.
    public var secretText: String { String(decoding: text, as: UTF8.self) }

    /// Whether `presented` is this token. The time taken depends on the lengths only, never on where the first
    /// differing byte is.
    public func matches(_ presented: some StringProtocol) -> Bool {
        let presented = Array(presented.utf8)
        var difference: UInt8 = presented.count == text.count ? 0 : 1
        for index in text.indices {
            difference |= text[index] ^ (index < presented.count ? presented[index] : 0)
        }
        return difference == 0
    }

    /// `AdminToken(redacted)`: never the token.
    public var description: String { "AdminToken(redacted)" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    // MARK: Token files

    /// Reads the token in `file`, or, when the file does not exist, creates it with a fresh token: parent directories
    /// are created, and the file is written to a temporary file (mode 0600, synced) that is then hard-linked to its
    /// name, so no process ever sees a partial file; when two processes race, one creates it and the other reads it.
    ///
    /// Throws ``ReactorError/Code/configInvalid`` when the existing file may be read or written by other users (group
    /// or other permission bits: `chmod 600` it) or does not hold a token, ``ReactorError/Code/storage`` when it
    /// cannot be read or written.
    public static func loadOrCreate(file: URL) throws -> AdminToken {
        try POSIXFile.readOrCreate(file, what: "the admin token file", read: read(path:)) {
            let token = generate()
            return (token, token.text + Array("\n".utf8))
        }
    }

    /// The token in `path`, or `nil` when the file does not exist.
    private static func read(path: String) throws -> AdminToken? {
        guard let mode = try POSIXFile.permissions(path) else { return nil }
        guard mode & 0o077 == 0 else {
            throw ReactorError(
                .configInvalid,
                "the admin token file '\(path)' may be read or written by other users (mode \(String(mode, radix: 8))): chmod 600 it",
                details: ["key": "server.admin_token_file", "file": path])
        }
        guard let bytes = try POSIXFile.readIfExists(path) else { return nil }
        return try AdminToken(parsing: String(decoding: bytes, as: UTF8.self), source: "the admin token file '\(path)'")
    }
}
