#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore
import ReactorCore

/// The blocking POSIX calls of ``FileBlobStore`` (run on NIO's thread pool, never on the cooperative pool). Every
/// failure becomes a ``ReactorError/Code/storageUnavailable`` error naming the operation but not the path.
enum BlobFiles {
    static func failure(_ what: String, _ code: Int32 = errno) -> ReactorError {
        ReactorError(.storageUnavailable, "the blob store cannot \(what): \(String(cString: strerror(code)))",
                     details: ["backend": "fs"], isTransient: code == EINTR || code == EAGAIN || code == ENOSPC)
    }

    /// What is at `path` without following a final symbolic link: a directory, a regular file, something else, or nothing.
    enum Kind { case directory, file, other, missing }

    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// Creates `path` (one level); an existing directory is fine. Returns false when the parent does not exist.
    @discardableResult
    static func makeDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o700) == 0 { return true }
        let code = errno
        if code == EEXIST, kind(path) == .directory { return true }
        if code == ENOENT { return false }
        throw failure("create a directory", code)
    }

    /// Creates `path` and its missing parents.
    static func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ReactorError(.storageUnavailable, "the blob store cannot create its directory '\(path)'", details: ["backend": "fs"])
        }
    }

    /// Creates a new file for writing (never an existing one, never through a link).
    static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw failure("create a file") }
        return fd
    }

    /// Opens an existing regular file for reading; nil when it does not exist. A symbolic link is refused.
    static func openForReading(_ path: String) throws -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ELOOP || code == ENOTDIR { return nil }
            throw failure("open a file", code)
        }
        return fd
    }

    /// Writes all of `buffer` at the file's position.
    static func writeAll(_ fd: Int32, _ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("write")
                }
                offset += written
            }
        }
    }

    /// Reads up to `count` bytes at `offset` into a new buffer (fewer only at the end of the file).
    static func readChunk(_ fd: Int32, offset: Int64, count: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        var filled = 0
        while filled < count {
            let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { bytes -> Int in
                while true {
                    let n = pread(fd, bytes.baseAddress, count - filled, off_t(offset + Int64(filled)))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw failure("read")
                    }
                    return n
                }
            }
            if got == 0 { break }
            filled += got
        }
        return buffer
    }

    /// Flushes `fd` to the disk.
    static func sync(_ fd: Int32) throws {
        guard fsync(fd) == 0 else { throw failure("flush a file") }
    }

    /// Flushes a directory's entries (after a rename) to the disk.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Writes `bytes` to a new file at `temporary`, flushed, then renames it over `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, temporary: String) throws {
        let fd = try create(temporary)
        do {
            try writeAll(fd, ByteBuffer(bytes: bytes))
            try sync(fd)
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        try renameFile(temporary, to: path)
    }

    static func renameFile(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else {
            let code = errno
            unlink(from)
            throw failure("rename a file", code)
        }
    }

    /// The whole (small) file, or nil when it does not exist.
    static func contents(_ path: String) throws -> [UInt8]? {
        guard let fd = try openForReading(path) else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read")
            }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    /// The names in a directory (none when it does not exist).
    static func names(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    /// Removes a file; a missing one is fine.
    static func remove(_ path: String) {
        unlink(path)
    }

    /// Removes a directory and everything in it (without following links).
    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A hard link `to` of `from`; false when the file system cannot link (then the caller copies).
    static func linkFile(_ from: String, to: String) throws -> Bool {
        if link(from, to) == 0 { return true }
        let code = errno
        if code == EXDEV || code == EPERM || code == EMLINK || code == ENOTSUP { return false }
        if code == ENOENT { throw ReactorError(.blobNotFound, "the object was removed while it was copied") }
        throw failure("link a file", code)
    }

    /// Lowercase hex of `count` random bytes.
    static func randomHex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return BlobIntegrity.hex((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// An open file descriptor, closed when the last reference goes (a download body that is dropped unread closes it).
final class FileDescriptor: Sendable {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
