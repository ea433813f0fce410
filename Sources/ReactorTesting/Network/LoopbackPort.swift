import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ports on 127.0.0.1 for test servers.
public enum LoopbackPort {
    /// A failure to get a port (the message names the call and `errno`).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A TCP port on 127.0.0.1 where nothing listens, for tests of an unreachable peer: 9 (discard), which no test
    /// server takes (they bind port 0, and the kernel never picks a port below 1024). Not ``free()``: a port free a
    /// moment ago may be another test's server by the time the request is made, and then the answer is that server's.
    public static let closed = 9

    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
    public static func free() throws -> Int {
        let listener = try bound(listen: false)
        close(listener.fd)
        return listener.port
    }

    /// Whether something accepts TCP connections on `port` of 127.0.0.1 (a connect that succeeds at once).
    public static func accepts(_ port: Int) -> Bool {
        let fd = makeSocket()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }

    /// A socket bound to a kernel-chosen port of 127.0.0.1, listening when `listen` is true.
    static func bound(listen shouldListen: Bool) throws -> (fd: Int32, port: Int) {
        let fd = makeSocket()
        guard fd >= 0 else { throw Failure(description: "cannot open a socket: errno \(errno)") }
        var address = loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw Failure(description: "cannot bind a socket on 127.0.0.1: errno \(errno)")
        }
        if shouldListen, listen(fd, 16) != 0 {
            close(fd)
            throw Failure(description: "cannot listen on a socket: errno \(errno)")
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            throw Failure(description: "cannot read a socket's port: errno \(errno)")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private static func makeSocket() -> Int32 {
        #if canImport(Glibc)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

/// A TCP listener on 127.0.0.1 that never accepts and never answers: the kernel completes connections to it, and
/// then nothing comes. Clients of it must give up by their own timeouts (tests of "never a hang").
public final class SilentListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let fd: Mutex<Int32?>

    /// Opens the listener.
    public init() throws {
        let listener = try LoopbackPort.bound(listen: true)
        port = listener.port
        fd = Mutex(listener.fd)
    }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Closes the listener (again is harmless).
    public func close() {
        fd.withLock { fd in
            if let open = fd {
                #if canImport(Glibc)
                _ = Glibc.close(open)
                #else
                _ = Darwin.close(open)
                #endif
            }
            fd = nil
        }
    }

    deinit { close() }
}
