import Foundation
import Logging
import PostgresNIO
import ReactorTesting
import Synchronization

/// Builds and runs `PostgresClient`s for the platform adapter tests.
enum PostgresTestClients {
    /// A client configuration for a `postgres://user[:password]@host:port/database` URL, without TLS.
    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw PostgresTestServerError("cannot read the server URL '\(url)'")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        configuration.options.maximumConnections = 12
        return configuration
    }

    /// Runs `count` clients of `url` (each its own pool: separate "nodes") while `body` runs.
    static func withClients<T: Sendable>(
        _ count: Int, url: String, _ body: @Sendable ([PostgresClient]) async throws -> T
    ) async throws -> T {
        let configuration = try configuration(url)
        var logger = Logger(label: "reactor.test.postgres")
        logger.logLevel = .critical
        let clients = (0..<count).map { _ in PostgresClient(configuration: configuration, backgroundLogger: logger) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.run() } }
            defer { group.cancelAll() }
            return try await body(clients)
        }
    }

    /// Runs one client of `url` while `body` runs.
    static func withClient<T: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withClients(1, url: url) { try await body($0[0]) }
    }

    /// The first column of the first row of `sql`, as `Int`.
    static func int(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int {
        let rows = try await client.query(query)
        for try await value in rows.decode(Int64.self) { return Int(value) }
        throw PostgresTestServerError("the query returned no row")
    }
}

/// The one database the platform tests share; every test uses its own schema, channel prefix or lock namespace.
actor PlatformTestDatabase {
    static let shared = PlatformTestDatabase()
    private var url: String?

    func get() async throws -> String {
        if let url { return url }
        let created = try await PostgresTestServer.createDatabase("platform")
        if let url { return url }
        url = created
        return created
    }
}

/// A fresh short lower-case name (`prefix` + 12 hex digits), valid as a schema, channel prefix or namespace.
func freshName(_ prefix: String) -> String {
    prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
}

/// A value behind a lock that child tasks of a test can share.
final class SharedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}
