import Foundation
import PostgresNIO
import ReactorCore

/// Settings of a ``PostgresStore``: where the server is, which schema holds the store's tables, and the pool size.
///
/// Keys and defaults:
/// - `host`, `port` (5432), `username`, `password` (none), `database` (the user name): the server.
/// - `schema`: `"reactor"`. Every table of the store lives in this schema; several stores (or test suites) share one
///   database by using different schemas.
/// - `tls`: ``TLSMode/disable`` for a loopback host, ``TLSMode/prefer`` otherwise (`sslmode` in a URL overrides it).
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
        /// TLS when the server offers it, without certificate checks; plain TCP otherwise (also for `allow`).
        case prefer
        /// TLS required, without certificate checks.
        case require
        /// TLS required; the certificate must chain to a trusted root (host name not checked).
        case verifyCA = "verify-ca"
        /// TLS required; the certificate must chain to a trusted root and name the host.
        case verifyFull = "verify-full"
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
    ///   digits and `_`, not starting with a digit, at most 63 bytes), `port` is out of range or `poolSize` < 1.
    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String? = nil,
        schema: String = PostgresStoreConfiguration.defaultSchema, tls: TLSMode? = nil, poolSize: Int = 10,
        connectTimeout: Duration = .seconds(10)
    ) throws {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database ?? username
        self.schema = schema
        self.tls = tls ?? (Self.isLoopback(host) ? .disable : .prefer)
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        try validate()
    }

    /// Creates settings from a URL: `postgres://user:password@host:port/database?sslmode=disable` (`postgresql://`
    /// works too; user and password may be percent-encoded).
    ///
    /// Query parameters: `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`) and
    /// `connect_timeout` (seconds). Any other parameter is refused, so that a typo does not go unnoticed.
    ///
    /// - Throws: `CONFIG_INVALID` naming what is wrong (the scheme, a missing host or user, a bad port, an unknown or
    ///   malformed parameter, the schema name).
    public init(url: String, schema: String = PostgresStoreConfiguration.defaultSchema, poolSize: Int = 10) throws {
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
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw ReactorError(.configInvalid, "connect_timeout '\(value)' is not a positive number of seconds", details: ["key": "url.connect_timeout"])
                }
                connectTimeout = .seconds(seconds)
            default:
                throw ReactorError(
                    .configInvalid, "unknown PostgreSQL URL parameter '\(item.name)' (known: sslmode, connect_timeout)",
                    details: ["key": "url.\(item.name)"])
            }
        }
        try self.init(
            host: host, port: components.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, schema: schema, tls: tls, poolSize: poolSize,
            connectTimeout: connectTimeout)
    }

    /// Checks the fields; see ``init(host:port:username:password:database:schema:tls:poolSize:connectTimeout:)``.
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
        var tls = TLSConfiguration.makeClientConfiguration()
        switch self.tls {
        case .disable:
            return .disable
        case .prefer:
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            tls.certificateVerification = .none
            return .require(tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case .verifyFull:
            return .require(tls)
        }
    }

    /// Whether `host` is this machine (where TLS is off by default).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
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
