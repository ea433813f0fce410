import Foundation

/// A PostgreSQL server for tests: the one named by the `POSTGRES_URL` environment variable, or else one throwaway
/// cluster started for the whole test process.
///
/// The throwaway cluster is created with `initdb` in a fresh temporary directory (`--no-sync`, trust
/// authentication, user `postgres`), listens on a free port on 127.0.0.1 only, runs with `fsync=off`, and is shared by
/// every suite of the process (give each suite or case its own schema, see ``uniqueName(_:)``, or its own database,
/// see ``createDatabase(_:)``). A small `sh` watchdog started beside it stops the cluster and removes its directory
/// as soon as the test process is gone, however it ended (normal exit, crash, `SIGKILL`).
///
/// When the process runs as root, `initdb` and `pg_ctl` run as the `postgres` user through `runuser` (the server
/// refuses to run as root) and the directory is given to that user.
///
/// The binaries are found through `PATH`, then `pg_config --bindir`, then `/usr/lib/postgresql/*/bin` (newest
/// version first). When no server can be had, ``shared()`` throws a ``PostgresTestServerError`` that says exactly
/// why; it never pretends to succeed.
public enum PostgresTestServer {
    /// The environment variable naming an existing server to use instead of starting one.
    public static let environmentVariable = "POSTGRES_URL"

    /// The URL of the shared test server, e.g. `postgres://postgres@127.0.0.1:54321/postgres?sslmode=disable`.
    ///
    /// Returns `POSTGRES_URL` when it is set and not empty. Otherwise the first call starts the throwaway cluster
    /// (about 1.5 s) and every later call returns the same URL.
    ///
    /// - Throws: ``PostgresTestServerError`` when the binaries are missing or the cluster does not start.
    public static func shared() async throws -> String {
        if let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty { return url }
        return try await PostgresTestCluster.instance.url()
    }

    /// The CA certificate (a PEM file) that signed the throwaway cluster's server certificate, for tests of verified
    /// TLS. The cluster accepts TLS besides plain connections; its certificate names `DNS:localhost` only (so
    /// `verify-full` to `localhost` passes with this CA and to `127.0.0.1` fails on the host name). Nil when
    /// `POSTGRES_URL` names another server or `openssl` could not make the certificates.
    ///
    /// - Throws: ``PostgresTestServerError`` when the cluster cannot be started.
    public static func certificateAuthorityFile() async throws -> String? {
        if let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty { return nil }
        return try await PostgresTestCluster.instance.certificateAuthority()
    }

    /// A fresh lower-case identifier (`prefix` sanitised, then random hex), valid as a PostgreSQL schema or database
    /// name (at most 63 bytes): one per suite or case so that tests on one server never collide.
    public static func uniqueName(_ prefix: String = "t") -> String {
        var clean = String(prefix.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" }.prefix(40))
        if clean.first.map({ !$0.isLetter && $0 != "_" }) ?? true { clean = "t_" + clean }
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return "\(clean)_\(random)"
    }

    /// Creates a fresh, empty database on the shared server (with `createdb`) and returns its URL.
    ///
    /// - Throws: ``PostgresTestServerError`` when the server cannot be had, `createdb` is missing, or it fails.
    public static func createDatabase(_ prefix: String = "t") async throws -> String {
        let url = try await shared()
        guard var components = URLComponents(string: url), let host = components.host else {
            throw PostgresTestServerError("the server URL '\(url)' has no host")
        }
        let name = uniqueName(prefix)
        let binDirectory = try PostgresBinaries.locate()
        let arguments = ["-h", host, "-p", String(components.port ?? 5432), "-U", components.user ?? "postgres", name]
        var environment = ProcessInfo.processInfo.environment
        if let password = components.password { environment["PGPASSWORD"] = password }
        let result = try await ChildProcess.run(binDirectory + "/createdb", arguments, environment: environment)
        guard result.status == 0 else {
            throw PostgresTestServerError("createdb \(name) failed with status \(result.status): \(result.output)")
        }
        components.path = "/" + name
        guard let databaseURL = components.string else { throw PostgresTestServerError("cannot build the URL of database \(name)") }
        return databaseURL
    }
}

/// Why ``PostgresTestServer`` could not provide a server.
public struct PostgresTestServerError: Error, CustomStringConvertible {
    /// What went wrong, with the command output or log excerpt that shows why.
    public let message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { "PostgresTestServer: \(message)" }
}
