import Foundation
import ReactorCore

/// The embedded secrets vault: one file encrypted with AES-256-GCM under a ``VaultKey``.
///
/// The file holds every secret as one encrypted JSON map behind a small versioned header (see the format notes in
/// `VaultFileFormat.swift`); it has mode 0600. A missing file is an empty vault, created (with its parent
/// directories) by the first ``put(_:value:)``.
///
/// - Writes are atomic and durable: a temporary file in the same directory is written and `fsync`ed, renamed over
///   the vault file, and the directory is `fsync`ed. A crash leaves the old or the new vault, never a mix.
/// - Several processes (and several `FileVault` values in one process) may share one file: every write takes an
///   exclusive `flock` on the sibling file `<file>.lock` and re-reads the vault inside the lock, so no write is
///   lost. Reads take no lock (a rename replaces the file atomically).
/// - A master key that does not open the file fails with ``ReactorError/Code/vaultKey`` ("the master key does not
///   open this vault") and never modifies the file. A file that is empty, truncated, modified, of another format
///   or another format version fails with ``ReactorError/Code/vaultCorrupt``. The header carries a 16-byte key
///   check (an HMAC of a constant under the key), so the two cases are told apart; only damage to those 16 bytes
///   themselves is reported as a wrong key.
/// - Paths are checked with `VaultPath.validate`; values are at most ``maxValueBytes`` bytes of UTF-8
///   (``ReactorError/Code/invalidArgument`` otherwise).
///
/// Every call reads and decrypts the file (vault files are small and read rarely: at boot and by the CLI).
public final class FileVault: Vault {
    /// The largest value accepted, in bytes of UTF-8 (64 KiB).
    public static let maxValueBytes = VaultPath.maxValueBytes

    /// The vault file.
    public let file: URL
    private let key: VaultKey
    private var path: String { file.path }
    private var lockPath: String { file.path + ".lock" }

    /// A vault over `file`, opened with `key`. Nothing is read or created until the first call.
    public init(file: URL, key: VaultKey) {
        self.file = file
        self.key = key
    }

    /// Checks that the file, if it exists, opens with the key (to fail at boot rather than on first use).
    public func verify() throws {
        _ = try load()
    }

    public func get(_ path: String) async throws -> String? {
        try VaultPath.validate(path)
        return try load()[path]
    }

    public func put(_ path: String, value: String) async throws {
        try VaultPath.validate(path)
        try Self.checkValue(value, path: path)
        try modify { secrets in
            guard secrets[path] != value else { return false }
            secrets[path] = value
            return true
        }
    }

    @discardableResult
    public func delete(_ path: String) async throws -> Bool {
        try VaultPath.validate(path)
        var existed = false
        try modify { secrets in
            existed = secrets.removeValue(forKey: path) != nil
            return existed
        }
        return existed
    }

    public func list(prefix: String) async throws -> [String] {
        try load().keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    // MARK: Internals

    /// Throws ``ReactorError/Code/invalidArgument`` when `value` is longer than ``maxValueBytes``.
    static func checkValue(_ value: String, path: String) throws {
        try VaultPath.validateValue(value, at: path)
    }

    /// The decrypted secrets (empty when the file does not exist).
    private func load() throws -> [String: String] {
        guard let bytes = try POSIXFile.readIfExists(path) else { return [:] }
        return try VaultFileFormat.decode(bytes, key: key, file: path)
    }

    /// Read-modify-write under the lock: `change` edits the secrets and returns whether anything changed (nothing is
    /// written otherwise).
    ///
    /// A first read without the lock skips the lock (and creating the directory and lock file) when the change would
    /// change nothing, such as deleting a path that is not there; `change` then runs again on the data read inside
    /// the lock.
    private func modify(_ change: (inout [String: String]) -> Bool) throws {
        var snapshot = try load()
        guard change(&snapshot) else { return }
        let directory = file.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ReactorError.storage("cannot create the vault directory '\(directory)': \(error)")
            }
        }
        try POSIXFile.withExclusiveLock(lockPath) {
            var secrets = try load()
            guard change(&secrets) else { return }
            let bytes = try VaultFileFormat.encode(secrets, key: key)
            try POSIXFile.replaceAtomically(
                path, with: bytes, temporaryName: ".\(file.lastPathComponent).\(UUID().uuidString).tmp")
        }
    }
}
