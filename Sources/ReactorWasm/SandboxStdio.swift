@_spi(WASIPlatform) import WASI
import Synchronization

/// Why the host stopped a guest from inside one of its calls (thrown through WasmKit, caught by the invocation).
enum SandboxStop: Error {
    /// The instance asked for more linear memory than the limit (`requested` bytes).
    case memoryLimit(requested: Int)
    /// The guest wrote more to stdout than the response limit.
    case responseTooLarge
    /// The invocation was interrupted (timeout or cancellation) while the guest called the host.
    case interrupted
}

/// The parts of a WASI character device every stdio stream shares: no seeking, no times, nothing to close.
protocol SandboxStream: WASIFile {
    var rights: WASIAbi.Rights { get }
}

extension SandboxStream {
    func attributes() throws -> WASIAbi.Filestat {
        WASIAbi.Filestat(dev: 0, ino: 0, filetype: .CHARACTER_DEVICE, nlink: 1, size: 0, atim: 0, mtim: 0, ctim: 0)
    }
    func fileType() throws -> WASIAbi.FileType { .CHARACTER_DEVICE }
    func status() throws -> WASIAbi.Fdflags { [] }
    func setTimes(atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp, fstFlags: WASIAbi.FstFlags) throws {}
    func advise(offset: WASIAbi.FileSize, length: WASIAbi.FileSize, advice: WASIAbi.Advice) throws {}
    func close() throws {}
    func fdStat() throws -> WASIAbi.FdStat {
        WASIAbi.FdStat(fsFileType: .CHARACTER_DEVICE, fsFlags: [], fsRightsBase: rights, fsRightsInheriting: [])
    }
    func setFdStatFlags(_ flags: WASIAbi.Fdflags) throws {}
    func setFilestatSize(_ size: WASIAbi.FileSize) throws { throw WASIAbi.Errno.EINVAL }
    func sync() throws {}
    func datasync() throws {}
    func tell() throws -> WASIAbi.FileSize { throw WASIAbi.Errno.ESPIPE }
    func seek(offset: WASIAbi.FileDelta, whence: WASIAbi.Whence) throws -> WASIAbi.FileSize { throw WASIAbi.Errno.ESPIPE }
    func pwrite(vectored buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.ESPIPE }
    func pread(into buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.ESPIPE }
}

/// The guest's stdin: the request JSON, read once from the start; then end of file.
final class SandboxInput: SandboxStream {
    private let bytes: [UInt8]
    private let position = Mutex(0)
    private let interruption: InvocationControl

    init(_ bytes: [UInt8], interruption: InvocationControl) {
        self.bytes = bytes
        self.interruption = interruption
    }

    var rights: WASIAbi.Rights { [.FD_READ] }

    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }

    func read(into buffers: GuestBuffers) throws -> WASIAbi.Size {
        if interruption.isInterrupted { throw SandboxStop.interrupted }
        return try position.withLock { position in
            var total = 0
            for index in 0..<buffers.count where position < bytes.count {
                total += try buffers.withHostBuffer(at: index) { buffer in
                    let count = min(buffer.count, bytes.count - position)
                    guard count > 0, let base = buffer.baseAddress else { return 0 }
                    bytes.withUnsafeBytes { source in
                        base.copyMemory(from: source.baseAddress! + position, byteCount: count)
                    }
                    position += count
                    return count
                }
            }
            return WASIAbi.Size(total)
        }
    }
}

/// The guest's stdout or stderr: bytes collected in memory up to a limit. Past the limit, stdout stops the guest
/// (`SandboxStop.responseTooLarge`); stderr keeps what fit, drops the rest and remembers that it did.
final class SandboxOutput: SandboxStream {
    enum Overflow { case stop, truncate }

    private struct Buffer {
        var bytes: [UInt8] = []
        var truncated = false
    }

    private let buffer = Mutex(Buffer())
    private let limit: Int
    private let overflow: Overflow
    private let interruption: InvocationControl

    init(limit: Int, overflow: Overflow, interruption: InvocationControl) {
        self.limit = max(0, limit)
        self.overflow = overflow
        self.interruption = interruption
    }

    var rights: WASIAbi.Rights { [.FD_WRITE] }

    /// What was written (up to the limit) and whether more was dropped.
    var contents: (bytes: [UInt8], truncated: Bool) {
        buffer.withLock { ($0.bytes, $0.truncated) }
    }

    func read(into buffers: GuestBuffers) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }

    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size {
        if interruption.isInterrupted { throw SandboxStop.interrupted }
        return try buffer.withLock { state in
            var total = 0
            for index in 0..<buffers.count {
                var stop = false
                total += try buffers.withHostBuffer(at: index) { source in
                    let room = limit - state.bytes.count
                    if source.count > room {
                        switch overflow {
                        case .stop:
                            stop = true
                            return 0
                        case .truncate:
                            state.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: source[..<max(0, room)]))
                            state.truncated = true
                            return source.count
                        }
                    }
                    state.bytes.append(contentsOf: UnsafeRawBufferPointer(source))
                    return source.count
                }
                if stop { throw SandboxStop.responseTooLarge }
            }
            return WASIAbi.Size(clamping: total)
        }
    }
}
