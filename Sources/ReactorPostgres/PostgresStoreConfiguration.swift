import Foundation
import PostgresNIO
import ReactorCore

/// Settings of a ``PostgresStore``: where the server is, which schema holds the store's tables, and the pool size.
///
/// Keys and defaults:
/// - `host`, `port` (5432), `username`, `password` (none), `database` (the user name): the server.
/// - `schema`: `"reactor"`. Every table of the store lives in this schema; several stores (or test suites) share one
///   database by using different schemas.
/// - `tls`: ``TLSMode/disable`` for a loopback host (`localhost`, `127.0.0.0/8`, `::1`: the connection never leaves
///   the machine), ``TLSMode/verifyFull`` otherwise: TLS required, the certificate chain checked against the system
///   trust store (or `caFile`) and the host name against the certificate. `sslmode` in a URL overrides it; `prefer`
///   and `require` keep libpq's meaning and check no certificate, so they are used only when named.
/// - `caFile`: none (the system trust store); `sslrootcert` in a URL: a PEM file of the CA certificates that
///   ``TLSMode/verifyCA`` and ``TLSMode/verifyFull`` trust instead.
/// - `poolSize`: 10 connections at most.
/// - `connectTimeout`: 10 seconds.
/// - `statementTimeout`: 30 seconds: the deadline of every statement of the store's connections, commits included
///   (PostgreSQL's `statement_timeout`): a commit stuck behind a lock or a stalled server fails (transiently, so the job
///   is retried) instead of holding its document and executor slot for good.
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// Whether and how the connection is encrypted; the names follow libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, **without certificate checks** (an attacker on the path can pose as the
        /// server); plain TCP otherwise (also for `allow`). Only when named explicitly.
        case prefer
        /// TLS required, **without certificate checks** (encrypted, but not authenticated). Only when named explicitly.
        case require
        /// TLS required; the certificate must chain to a trusted root (the system's, or `caFile`); the host name is
        /// not checked.
        case verifyCA = "verify-ca"
        /// TLS required; the certificate must chain to a trusted root (the system's, or `caFile`) and name the host
        /// (a DNS name, or an IP address in its subject alternative names). The default for a host that is not
        /// loopback.
        case verifyFull = "verify-full"

        /// Whether the server's certificate is checked.
        public var verifiesCertificate: Bool { self == .verifyCA || self == .verifyFull }
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port. Default 5432.
    public var port: Int
    /// The user to log in as.
    public var username: String
    /// The password, if the server asks for one.
    public var password: String?
    /// The database. Default: the user name.
    public var database: String
    /// The schema holding the store's tables (created by ``PostgresStore/migrate()``). Default `"reactor"`.
    public var schema: String
    /// Whether and how the connection is encrypted.
    public var tls: TLSMode
    /// A PEM file of the CA certificates that ``TLSMode/verifyCA`` and ``TLSMode/verifyFull`` trust (libpq's
    /// `sslrootcert`); nil trusts the system's roots. Refused with any other mode.
    public var caFile: String?
    /// The most connections the store's pool opens. Default 10.
    public var poolSize: Int
    /// How long opening a connection may take. Default 10 seconds.
    public var connectTimeout: Duration
    /// The longest a statement may run before PostgreSQL cancels it (`statement_timeout`). Default 30 seconds.
    public var statementTimeout: Duration = .seconds(30)

    /// The default schema name.
    public static let defaultSchema = "reactor"

    /// Creates settings from parts.
    ///
    /// - Throws: `CONFIG_INVALID` naming the field when `schema` is not a plain identifier (lower-case letters,
    ///   digits and `_`, not starting with a digit, at most 63 bytes), `port` is out of range, `poolSize` < 1, or
    ///   `caFile` is given with a mode that checks no certificate or cannot be read.
    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String? = nil,
        schema: String = PostgresStoreConfiguration.defaultSchema, tls: TLSMode? = nil, caFile: String? = nil, poolSize: Int = 10,
        connectTimeout: Duration = .seconds(10)
    ) throws {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database ?? username
        self.schema = schema
        self.tls = tls ?? (Self.isLoopback(host) ? .disable : .verifyFull)
        self.caFile = caFile
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        try validate()
    }

    /// Creates settings from a URL: `postgres://user:password@host:port/database?sslmode=disable` (`postgresql://`
    /// works too; user and password may be percent-encoded).
    ///
    /// Query parameters: `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`; without it,
    /// see ``tls``), `sslrootcert` (the CA file, see ``caFile``; `system` for the system's roots) and
    /// `connect_timeout` (seconds). Any other parameter is refused, so that a typo does not go unnoticed. `caFile`
    /// is used when the URL names no `sslrootcert` (the `store.ca_file` key).
    ///
    /// - Throws: `CONFIG_INVALID` naming what is wrong (the scheme, a missing host or user, a bad port, an unknown or
    ///   malformed parameter, a CA file with a mode that checks no certificate, the schema name).
    public init(
        url: String, schema: String = PostgresStoreConfiguration.defaultSchema, poolSize: Int = 10, caFile: String? = nil
    ) throws {
        guard let components = URLComponents(string: url) else {
            throw ReactorError(.configInvalid, "the PostgreSQL URL is malformed", details: ["key": "url"])
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw ReactorError(
                .configInvalid, "the PostgreSQL URL must start with postgres:// or postgresql:// (got '\(components.scheme ?? "")')",
                details: ["key": "url"])
        }
        guard let host = components.host, !host.isEmpty else {
            throw ReactorError(.configInvalid, "the PostgreSQL URL names no host", details: ["key": "url.host"])
        }
        guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw ReactorError(.configInvalid, "the PostgreSQL URL names no user", details: ["key": "url.user"])
        }
        let password = components.percentEncodedPassword?.removingPercentEncoding
        var database = String(components.path.drop { $0 == "/" })
        database = database.removingPercentEncoding ?? database
        var tls: TLSMode?
        var caFile = caFile
        var connectTimeout = Duration.seconds(10)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                switch value {
                case "allow": tls = .prefer
                default:
                    guard let mode = TLSMode(rawValue: value) else {
                        throw ReactorError(
                            .configInvalid, "sslmode '\(value)' is not one of disable, allow, prefer, require, verify-ca, verify-full",
                            details: ["key": "url.sslmode"])
                    }
                    tls = mode
                }
            case "sslrootcert":
                guard !value.isEmpty else {
                    throw ReactorError(.configInvalid, "sslrootcert is empty (a CA file path, or 'system')", details: ["key": "url.sslrootcert"])
                }
                caFile = value == "system" ? nil : value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw ReactorError(.configInvalid, "connect_timeout '\(value)' is not a positive number of seconds", details: ["key": "url.connect_timeout"])
                }
                connectTimeout = .seconds(seconds)
            default:
                throw ReactorError(
                    .configInvalid, "unknown PostgreSQL URL parameter '\(item.name)' (known: sslmode, sslrootcert, connect_timeout)",
                    details: ["key": "url.\(item.name)"])
            }
        }
        try self.init(
            host: host, port: components.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, schema: schema, tls: tls, caFile: caFile, poolSize: poolSize,
            connectTimeout: connectTimeout)
    }

    /// Checks the fields; see ``init(host:port:username:password:database:schema:tls:caFile:poolSize:connectTimeout:)``.
    public func validate() throws {
        guard Self.isPlainIdentifier(schema) else {
            throw ReactorError(
                .configInvalid,
                "schema '\(schema)' must be lower-case letters, digits and '_', not start with a digit, and be at most 63 bytes",
                details: ["key": "schema"])
        }
        guard (1...65_535).contains(port) else {
            throw ReactorError(.configInvalid, "port \(port) is out of range 1…65535", details: ["key": "port"])
        }
        guard poolSize >= 1 else {
            throw ReactorError(.configInvalid, "poolSize must be at least 1 (got \(poolSize))", details: ["key": "poolSize"])
        }
        if let caFile {
            guard tls.verifiesCertificate else {
                throw ReactorError(
                    .configInvalid,
                    "a CA file (sslrootcert) is only used with sslmode=verify-ca or verify-full; sslmode=\(tls.rawValue) checks no certificate",
                    details: ["key": "url.sslrootcert"])
            }
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ReactorError(.configInvalid, "the CA file '\(caFile)' (sslrootcert) cannot be read", details: ["key": "url.sslrootcert"])
            }
        }
    }

    /// The postgres-nio client configuration for these settings.
    public var clientConfiguration: PostgresClient.Configuration {
        var config = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsConfiguration)
        config.options.maximumConnections = poolSize
        config.options.connectTimeout = connectTimeout
        let timeout = statementTimeout.components
        let milliseconds = max(1, timeout.seconds * 1_000 + timeout.attoseconds / 1_000_000_000_000_000)
        config.options.additionalStartupParameters = [("application_name", "reactor"), ("statement_timeout", String(milliseconds))]
        return config
    }

    private var tlsConfiguration: PostgresClient.Configuration.TLS {
        guard let clientTLS else { return .disable }
        return tls == .prefer ? .prefer(clientTLS) : .require(clientTLS)
    }

    /// The TLS settings `tls` asks for (nil for ``TLSMode/disable``): no certificate check for `prefer` and
    /// `require`; the chain for `verify-ca`; the chain and the host name for `verify-full`; `caFile` as the only
    /// trusted roots when given, the system's otherwise.
    var clientTLS: TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable:
            return nil
        case .prefer, .require:
            configuration.certificateVerification = .none
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        if tls.verifiesCertificate, let caFile { configuration.trustRoots = .file(caFile) }
        return configuration
    }

    /// Whether `host` is this machine (where TLS is off by default): `localhost`, or an address in `127.0.0.0/8` or
    /// `::1` (parsed: `127.example.com` is a remote host).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || IPAddress(host)?.isLoopback == true
    }

    /// Whether `name` can be spliced into SQL as a quoted identifier without any escaping question.
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        guard first == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return name.utf8.allSatisfy {
            $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
    }
}
