import ReactorCore

/// A listening address `host:port` (`server.bind`). IPv6 hosts are written in brackets: `[::1]:8000`.
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address, without brackets (`127.0.0.1`, `0.0.0.0`, `localhost`, `::1`).
    public var host: String
    /// The TCP port, 0…65535 (0 asks the system for a free port; the server prints the one it got).
    public var port: Int

    /// An address from its parts (not checked; ``init(parsing:)`` checks).
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[ipv6]:port`. Throws ``ReactorError/Code/configInvalid`` saying what is wrong.
    public init(parsing text: String) throws {
        func fail(_ why: String) -> ReactorError {
            ReactorError(.configInvalid, "\"\(text)\" is not a valid address: \(why)")
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("the IPv6 address has no closing ']'") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw fail("expected host:port, e.g. [::1]:8000") }
            portText = rest.dropFirst()
            guard !host.isEmpty, host.contains(":"),
                host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" || $0.isLetter || $0.isNumber })
            else { throw fail("'\(host)' is not an IPv6 address") }
        } else {
            let colons = text.filter { $0 == ":" }.count
            guard colons > 0 else { throw fail("expected host:port, e.g. 127.0.0.1:8000") }
            guard colons == 1 else { throw fail("write an IPv6 address in brackets, e.g. [::1]:8000") }
            let colon = text.firstIndex(of: ":")!
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.isEmpty else { throw fail("the host is empty (use 0.0.0.0 to listen on every interface)") }
            guard host.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x2D || byte == 0x5F
            }) else { throw fail("'\(host)' is not a host name or IPv4 address") }
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText)
        else { throw fail("the port '\(portText)' is not a number") }
        guard (0...65535).contains(port) else { throw fail("the port \(port) is not in 0…65535") }
        self.host = String(host)
        self.port = port
    }

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
