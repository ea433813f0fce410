/// A secrets vault: named secret strings under slash-separated paths (`db/password`, `auth/hmac`).
///
/// Adapters: the embedded AES-256-GCM file vault (`ReactorVault.FileVault`, the default), an in-memory vault for
/// tests (`ReactorTesting.MockVault`), and later remote vault servers. Every adapter passes
/// `ReactorTesting.VaultConformance`.
///
/// Paths are 1–256 characters of `A–Z a–z 0–9 _ - . /`, without a leading or trailing `/`, an empty segment or a
/// `.`/`..` segment; anything else is rejected with ``ReactorError/Code/invalidArgument``. Failures of the backend
/// itself (a wrong master key, a corrupt file) use the `VAULT_*` codes.
public protocol Vault: Sendable {
    /// The secret at `path`, or `nil` when there is none.
    func get(_ path: String) async throws -> String?
    /// Stores `value` at `path`, replacing any previous value. Durable when it returns.
    func put(_ path: String, value: String) async throws
    /// Removes the secret at `path`. Returns whether there was one.
    @discardableResult
    func delete(_ path: String) async throws -> Bool
    /// The paths that start with `prefix` (all paths for `""`), sorted.
    func list(prefix: String) async throws -> [String]
}

extension Vault {
    /// All paths, sorted.
    public func list() async throws -> [String] { try await list(prefix: "") }

    /// The secret at `path`, or a ``ReactorError/Code/secretNotFound`` error.
    public func require(_ path: String) async throws -> String {
        guard let value = try await get(path) else {
            throw ReactorError(.secretNotFound, "no secret at '\(path)'", details: ["path": path])
        }
        return value
    }
}

/// Checks of vault paths shared by every adapter.
public enum VaultPath {
    /// The longest path accepted.
    public static let maxLength = 256
    /// The largest secret value accepted by every adapter, in bytes of UTF-8 (64 KiB).
    public static let maxValueBytes = 64 * 1024

    /// Throws ``ReactorError/Code/invalidArgument`` when `value` is longer than ``maxValueBytes``.
    public static func validateValue(_ value: String, at path: String) throws {
        let size = value.utf8.count
        guard size <= maxValueBytes else {
            throw ReactorError(
                .invalidArgument, "the secret for '\(path)' is \(size) bytes; the largest accepted is \(maxValueBytes)",
                details: ["path": path, "size": "\(size)"])
        }
    }

    /// Throws ``ReactorError/Code/invalidArgument`` unless `path` is a valid secret path.
    public static func validate(_ path: String) throws {
        func fail(_ why: String) -> ReactorError {
            ReactorError(.invalidArgument, "invalid secret path '\(path)': \(why)", details: ["path": path])
        }
        guard !path.isEmpty else { throw fail("it is empty") }
        guard path.utf8.count <= maxLength else { throw fail("it is longer than \(maxLength) bytes") }
        for byte in path.utf8 {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E || byte == 0x2F
            guard ok else { throw fail("only letters, digits and _ - . / are allowed") }
        }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty else { throw fail("it has an empty segment (a leading, trailing or double '/')") }
            guard segment != "." && segment != ".." else { throw fail("'.' and '..' segments are not allowed") }
        }
    }
}
