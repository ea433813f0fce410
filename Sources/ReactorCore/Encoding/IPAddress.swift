#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address parsed from its text form, for the questions the server asks of addresses (is this
/// the loopback interface?) without trusting a name that only looks like an address (`127.evil.com`).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses `text` as an IPv4 address in dotted-decimal form (`127.0.0.1`: exactly four decimal parts, as
    /// `inet_pton` takes them) or an IPv6 address (`::1`, `::ffff:127.0.0.1`, optionally in brackets `[::1]`).
    /// Nil for anything else: host names, `127.1`, `127.0.0.1.evil.com`, a zone (`fe80::1%eth0`), a port.
    public init?(_ text: some StringProtocol) {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard !text.isEmpty, text.utf8.count <= 45, !text.utf8.contains(0) else { return nil }
        let family = text.contains(":") ? AF_INET6 : AF_INET
        var buffer = [UInt8](repeating: 0, count: family == AF_INET6 ? 16 : 4)
        let parsed = String(text).withCString { cString in
            buffer.withUnsafeMutableBytes { inet_pton(family, cString, $0.baseAddress) }
        }
        guard parsed == 1 else { return nil }
        self.bytes = buffer
    }

    /// Whether the address is this machine's loopback interface: `127.0.0.0/8`, `::1`, or an IPv4 loopback address
    /// mapped into IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports an IPv4 peer).
    public var isLoopback: Bool {
        if bytes.count == 4 { return bytes[0] == 127 }
        let isMappedIPv4 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        if isMappedIPv4 { return bytes[12] == 127 }
        return bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
    }

    /// The address in dotted-decimal (IPv4) or as eight colon-separated hexadecimal groups (IPv6, uncompressed).
    public var description: String {
        if bytes.count == 4 { return bytes.map { String($0) }.joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
