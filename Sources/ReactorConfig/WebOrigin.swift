import ReactorCore

/// Host names as `server.allowed_hosts` takes them and as the server compares them with a request's `Host` header:
/// lowercased, without a trailing dot, an IPv6 address without brackets (`::1`).
public enum HostName {
    /// `text` normalized when it is a host name (`localhost`, `app.example.com`), an IPv4 address or an IPv6 address
    /// (with or without brackets); nil for anything else (a port, a scheme, a path, spaces, an empty label).
    public static func normalized(_ text: some StringProtocol) -> String? {
        var text = Substring(text)
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { return nil }
            text = text.dropFirst().dropLast()
            return isIPv6(text) ? text.lowercased() : nil
        }
        if text.contains(":") { return isIPv6(text) ? text.lowercased() : nil }
        if text.hasSuffix(".") { text = text.dropLast() }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, text.utf8.count <= 253,
            labels.allSatisfy({ label in
                !label.isEmpty && label.utf8.count <= 63 && label.utf8.allSatisfy { isAlphanumeric($0) || $0 == 0x2D || $0 == 0x5F }
            })
        else { return nil }
        return text.lowercased()
    }

    /// Splits an authority `host[:port]` or `[ipv6][:port]` (a `Host` header, the part of an origin after `://`) into
    /// its normalized host and its port; nil when it is malformed.
    public static func authority(_ text: some StringProtocol) -> (host: String, port: Int?)? {
        let text = Substring(text)
        let hostPart: Substring
        var portPart: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[...close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portPart = rest.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        } else {
            hostPart = text
        }
        guard let host = normalized(hostPart) else { return nil }
        guard let portPart else { return (host, nil) }
        guard !portPart.isEmpty, portPart.utf8.count <= 5, portPart.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let port = Int(portPart), port <= 65535
        else { return nil }
        return (host, port)
    }

    /// Whether `host` (normalized) names this machine's loopback interface: the name `localhost`, or an IP address
    /// in `127.0.0.0/8` or `::1` (parsed as an address, see ``IPAddress``: `127.evil.com` is a host name, not
    /// loopback).
    ///
    /// This is about names (a bind address, a database host). Whether a *caller* is local is decided by the
    /// connection's peer address, never by a name the caller sent.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || IPAddress(host)?.isLoopback == true
    }

    /// Whether `host` (normalized) is the wildcard address of every interface: `0.0.0.0` or `::`.
    public static func isWildcard(_ host: String) -> Bool {
        host == "0.0.0.0" || (host.contains(":") && host.allSatisfy { $0 == "0" || $0 == ":" })
    }

    private static func isIPv6(_ text: Substring) -> Bool {
        text.filter { $0 == ":" }.count >= 2
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
                    || byte == 0x3A || byte == 0x2E
            }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}

/// A web origin `scheme://host[:port]`, as browsers send it in the `Origin` header and as `server.allowed_origins`
/// lists it. Two origins are equal when their scheme, host and port are (`http://localhost` is
/// `http://localhost:80`); scheme and host compare case-insensitively.
public struct WebOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The scheme, lowercased (`http`, `https`, `tauri` …).
    public let scheme: String
    /// The host, normalized (see ``HostName``).
    public let host: String
    /// The port: the one written, else 80 for `http` and 443 for `https`; nil for another scheme without one.
    public let port: Int?

    /// Parses `scheme://host[:port]`; nil for anything else (`null`, a path, a trailing slash, user info).
    public init?(_ text: some StringProtocol) {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound]
        guard let first = scheme.utf8.first, (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A),
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }),
            let (host, port) = HostName.authority(text[separator.upperBound...])
        else { return nil }
        self.scheme = scheme.lowercased()
        self.host = host
        self.port = port ?? Self.defaultPort(of: self.scheme)
    }

    /// 80 for `http`, 443 for `https`, nil for other schemes.
    public static func defaultPort(of scheme: String) -> Int? {
        switch scheme {
        case "http": 80
        case "https": 443
        default: nil
        }
    }

    /// `scheme://host[:port]`, the port left out when it is the scheme's default and IPv6 hosts in brackets.
    public var description: String {
        let host = host.contains(":") ? "[\(host)]" : host
        guard let port, port != Self.defaultPort(of: scheme) else { return "\(scheme)://\(host)" }
        return "\(scheme)://\(host):\(port)"
    }
}
