import Foundation
import Logging
import PostgresNIO
@testable import ReactorPostgres
import ReactorTesting
import Testing

/// TLS against the throwaway cluster, whose certificate is signed by a test CA and names `DNS:localhost` only:
/// `verify-full` refuses it without the CA file (not in the system's trust store) and for `127.0.0.1` (not the name
/// on it), and accepts it for `localhost` with the CA file; `verify-ca` accepts it by address; `require` accepts it
/// without checking anything (why it is used only when named).
@Suite("PostgreSQL TLS", .timeLimit(.minutes(3)))
struct PostgresTLSTests {
    /// The shared cluster's port and CA file; nil (the test says so) when the cluster has no TLS (`POSTGRES_URL`, or
    /// no `openssl`).
    static func cluster() async throws -> (port: Int, ca: String)? {
        let url = try await PostgresTestServer.shared()
        guard let ca = try await PostgresTestServer.certificateAuthorityFile(), let port = URLComponents(string: url)?.port else {
            print("PostgreSQL TLS: the test server has no TLS certificate (POSTGRES_URL or no openssl); the TLS cases are not run")
            return nil
        }
        return (port, ca)
    }

    /// Opens one connection with `configuration`'s TLS settings (the ones the store's pool uses) and says whether
    /// it is encrypted; throws when the connection is refused (a certificate that does not verify).
    static func connect(_ configuration: PostgresStoreConfiguration) async throws -> Bool {
        let tls: PostgresConnection.Configuration.TLS = try configuration.clientTLS.map { try .require(NIOSSLContext(configuration: $0)) } ?? .disable
        var settings = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username, password: configuration.password,
            database: configuration.database, tls: tls)
        settings.options.connectTimeout = .seconds(10)
        let logger = Logger(label: "tls-test")
        let connection = try await PostgresConnection.connect(configuration: settings, id: 1, logger: logger)
        do {
            var encrypted = false
            let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: logger)
            for try await ssl in rows.decode(Bool.self) { encrypted = ssl }
            try await connection.close()
            return encrypted
        } catch {
            try? await connection.close()
            throw error
        }
    }

    @Test func verifyFullChecksTheChainAndTheHostName() async throws {
        guard let (port, ca) = try await Self.cluster() else { return }
        func settings(_ host: String, _ mode: String, ca file: String? = nil) throws -> PostgresStoreConfiguration {
            try PostgresStoreConfiguration(url: "postgres://postgres@\(host):\(port)/postgres?sslmode=\(mode)", caFile: file)
        }
        // Untrusted: the test CA is not in the system's trust store.
        await #expect(throws: (any Error).self) { try await Self.connect(try settings("localhost", "verify-full")) }
        // The right CA, the wrong name: the certificate names localhost, not 127.0.0.1.
        await #expect(throws: (any Error).self) { try await Self.connect(try settings("127.0.0.1", "verify-full", ca: ca)) }
        // The right CA and name.
        #expect(try await Self.connect(try settings("localhost", "verify-full", ca: ca)))
        // verify-ca checks the chain only; require checks nothing (encrypted, not authenticated).
        #expect(try await Self.connect(try settings("127.0.0.1", "verify-ca", ca: ca)))
        await #expect(throws: (any Error).self) { try await Self.connect(try settings("127.0.0.1", "verify-ca")) }
        #expect(try await Self.connect(try settings("127.0.0.1", "require")))
        #expect(try await Self.connect(try settings("127.0.0.1", "disable")) == false)
    }

    /// The store itself (its connection pool) on a verified connection: migrates and commits as on a plain one.
    @Test func aStoreRunsOverVerifiedTLS() async throws {
        guard let (port, ca) = try await Self.cluster() else { return }
        let configuration = try PostgresStoreConfiguration(
            url: "postgres://postgres@localhost:\(port)/postgres?sslmode=verify-full&sslrootcert=\(ca)",
            schema: PostgresTestServer.uniqueName("tls"), poolSize: 2)
        try await PostgresTestSupport.withStores(configuration, count: 1) { stores in
            let rows = try await stores[0].client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            var encrypted = false
            for try await ssl in rows.decode(Bool.self) { encrypted = ssl }
            #expect(encrypted)
            #expect(try await stores[0].pendingMigrations().isEmpty)
        }
    }
}
