#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ReactorCore

/// Small wrappers around the POSIX file calls the vault needs (exact control over modes, `fsync`, `flock` and
/// `rename`). Every failure becomes a ``ReactorError/Code/storage`` error naming the path.
enum POSIXFile {
    /// `strerror` text for `code`.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func failure(_ what: String, _ path: String, _ code: Int32 = errno) -> ReactorError {
        ReactorError.storage("cannot \(what) '\(path)': \(describe(code))", transient: code == EINTR || code == EAGAIN)
    }

    /// The whole content of `path`, or `nil` when it does not exist.
    static func readIfExists(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw failure("open", path, code)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if count == 0 { return out }
            out.append(contentsOf: buffer[0..<count])
        }
    }

    /// The permission bits of `path` (`stat`, following symbolic links), or `nil` when it does not exist.
    static func permissions(_ path: String) throws -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw failure("stat", path, code)
        }
        return info.st_mode & 0o7777
    }

    /// Writes every byte of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            offset += written
        }
    }

    /// `fsync(fd)`.
    static func sync(_ fd: Int32, path: String) throws {
        guard fsync(fd) == 0 else { throw failure("fsync", path) }
    }

    /// Opens `directory` and `fsync`s it, so that a rename or a creation in it is durable.
    static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open the directory", directory) }
        defer { close(fd) }
        try sync(fd, path: directory)
    }

    /// Runs `body` while holding an exclusive `flock` on `lockPath` (created with mode 0600 if needed).
    ///
    /// `flock` locks belong to the open file description, so two handles in one process exclude each other too.
    static func withExclusiveLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open the lock file", lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("lock", lockPath) }
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }

    /// Creates `path` with mode 0600 holding `bytes` (synced, and its directory synced), unless it exists: returns
    /// `false` then and leaves the existing file alone.
    ///
    /// The content is written to a temporary file first and then hard-linked to `path` (which fails if `path`
    /// exists), so another process never sees a half-written file.
    static func createExclusive(_ path: String, with bytes: [UInt8], temporaryName: String) throws -> Bool {
        let directory = directoryOf(path)
        let temporary = directory + "/" + temporaryName
        try writeNewFile(temporary, bytes)
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST { return false }
            throw failure("create", path, code)
        }
        try syncDirectory(directory)
        return true
    }

    /// The value kept in `file` (as `read` finds it; nil when the file does not exist), or, when there is none, a
    /// fresh one from `make` written to a new file: parent directories created, mode 0600, exclusively (see
    /// ``createExclusive(_:with:temporaryName:)``: when two processes race, one creates it and the other reads it).
    /// `what` names the file in errors ("the vault key file").
    static func readOrCreate<Value>(
        _ file: URL, what: String, read: (String) throws -> Value?, make: () -> (value: Value, bytes: [UInt8])
    ) throws -> Value {
        let path = file.path
        if let value = try read(path) { return value }
        let directory = file.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReactorError.storage("cannot create the directory '\(directory)' of \(what): \(error)")
        }
        let fresh = make()
        let temporaryName = ".\(file.lastPathComponent).\(UUID().uuidString).tmp"
        guard try createExclusive(path, with: fresh.bytes, temporaryName: temporaryName) else {
            // Another process created it between our read and our create: use its value.
            if let existing = try read(path) { return existing }
            throw ReactorError.storage("\(what) '\(path)' vanished while it was being created")
        }
        return fresh.value
    }

    /// The directory part of `path` (`.` when it has none).
    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// Creates `path` (which must not exist) with mode 0600, writes `bytes` and `fsync`s it.
    private static func writeNewFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", path) }
        do {
            try writeAll(fd, bytes, path: path)
            try sync(fd, path: path)
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        close(fd)
    }

    /// Replaces `path` atomically with `bytes`: writes a temporary file (mode 0600) in the same directory, `fsync`s
    /// it, renames it over `path` and `fsync`s the directory. A crash leaves either the old or the new file.
    static func replaceAtomically(_ path: String, with bytes: [UInt8], temporaryName: String) throws {
        let directory = directoryOf(path)
        let temporary = directory + "/" + temporaryName
        try writeNewFile(temporary, bytes)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure("rename the temporary file over", path, code)
        }
        try syncDirectory(directory)
    }
}
