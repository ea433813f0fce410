import Foundation
import ReactorCore
import ReactorPostgres
import Testing

@Suite("PostgresStoreConfiguration", .timeLimit(.minutes(10)))
struct PostgresStoreConfigurationTests {
    @Test func parsesAURL() throws {
        let c = try PostgresStoreConfiguration(url: "postgres://us%40er:p%3Ass@db.example.com:6543/app%20db?sslmode=require&connect_timeout=3", schema: "nodes", poolSize: 7)
        #expect(c.host == "db.example.com")
        #expect(c.port == 6543)
        #expect(c.username == "us@er")
        #expect(c.password == "p:ss")
        #expect(c.database == "app db")
        #expect(c.schema == "nodes")
        #expect(c.tls == .require)
        #expect(c.poolSize == 7)
        #expect(c.connectTimeout == .seconds(3))
    }

    @Test func defaults() throws {
        let local = try PostgresStoreConfiguration(url: "postgresql://postgres@127.0.0.1/")
        #expect(local.port == 5432 && local.database == "postgres" && local.password == nil)
        #expect(local.schema == "reactor" && local.poolSize == 10)
        #expect(local.tls == .disable, "TLS is off on loopback by default")
        #expect(try PostgresStoreConfiguration(url: "postgres://u@localhost/db").tls == .disable)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@db.internal/db").tls == .verifyFull, "a remote host is verified by default")
        #expect(try PostgresStoreConfiguration(url: "postgres://u@127.0.0.1/db?sslmode=verify-full").tls == .verifyFull)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@h/db?sslmode=allow").tls == .prefer)
    }

    /// Loopback means an address in 127.0.0.0/8 or ::1 (or `localhost`), parsed: a name that starts with `127.` is a
    /// remote host, and gets certificate and host-name verification.
    @Test(arguments: [
        ("postgres://u@127.0.0.1/db", PostgresStoreConfiguration.TLSMode.disable), ("postgres://u@127.1.2.3/db", .disable),
        ("postgres://u@[::1]/db", .disable), ("postgres://u@localhost/db", .disable),
        ("postgres://u@127.evil.com/db", .verifyFull), ("postgres://u@127.0.0.1.nip.io/db", .verifyFull),
        ("postgres://u@10.0.0.5/db", .verifyFull), ("postgres://u@[2001:db8::1]/db", .verifyFull),
    ])
    func defaultTLSFollowsTheParsedHost(_ url: String, _ mode: PostgresStoreConfiguration.TLSMode) throws {
        let configuration = try PostgresStoreConfiguration(url: url)
        #expect(configuration.tls == mode, "\(url)")
        #expect(configuration.caFile == nil)
    }

    /// `prefer` and `require` are libpq's (no certificate check) and only when named; `verify-ca`/`verify-full` take a
    /// CA file from the URL (`sslrootcert`) or the `[store] ca_file` key, the URL winning.
    @Test func caFileAndExplicitModes() throws {
        let ca = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-ca-\(UUID().uuidString).pem").path
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: URL(fileURLWithPath: ca))
        defer { try? FileManager.default.removeItem(atPath: ca) }
        #expect(!PostgresStoreConfiguration.TLSMode.prefer.verifiesCertificate && !PostgresStoreConfiguration.TLSMode.require.verifiesCertificate)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@db.example.com/db?sslmode=require").tls == .require)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@db.example.com/db?sslmode=prefer").tls == .prefer)
        let fromURL = try PostgresStoreConfiguration(url: "postgres://u@db.example.com/db?sslrootcert=\(ca)")
        #expect(fromURL.tls == .verifyFull && fromURL.caFile == ca)
        let fromKey = try PostgresStoreConfiguration(url: "postgres://u@db.example.com/db?sslmode=verify-ca", caFile: ca)
        #expect(fromKey.tls == .verifyCA && fromKey.caFile == ca)
        let system = try PostgresStoreConfiguration(url: "postgres://u@db.example.com/db?sslrootcert=system", caFile: ca)
        #expect(system.caFile == nil, "sslrootcert=system in the URL wins over the key")
        // A loopback host asked to verify with a CA file.
        #expect(try PostgresStoreConfiguration(url: "postgres://u@127.0.0.1/db?sslmode=verify-full&sslrootcert=\(ca)").tls == .verifyFull)
    }

    @Test(arguments: [
        ("postgres://u@h/db?sslmode=require&sslrootcert=/etc/hosts", "url.sslrootcert"),
        ("postgres://u@h/db?sslmode=disable&sslrootcert=/etc/hosts", "url.sslrootcert"),
        ("postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", "url.sslrootcert"),
        ("postgres://u@h/db?sslrootcert=", "url.sslrootcert"),
    ])
    func refusesCAFilesThatWouldNotBeUsed(_ url: String, _ key: String) {
        let error = #expect(throws: ReactorError.self) { try PostgresStoreConfiguration(url: url) }
        #expect(error?.code == .configInvalid)
        #expect(error?.details["key"] == key, "\(url): \(String(describing: error))")
    }

    @Test(arguments: [
        ("mysql://u@h/db", "url"),
        ("postgres:///db", "url.host"),
        ("postgres://h/db", "url.user"),
        ("postgres://u@h/db?sslmode=sometimes", "url.sslmode"),
        ("postgres://u@h/db?connect_timeout=-1", "url.connect_timeout"),
        ("postgres://u@h/db?search_path=x", "url.search_path"),
        ("postgres://u@h:0/db", "port"),
    ])
    func rejectsBadURLs(_ url: String, _ key: String) {
        do {
            _ = try PostgresStoreConfiguration(url: url)
            Issue.record("\(url) was accepted")
        } catch let error as ReactorError {
            #expect(error.code == .configInvalid)
            #expect(error.details["key"] == key, "\(url): \(error.debugDescription)")
        } catch {
            Issue.record("\(url): \(error)")
        }
    }

    @Test(arguments: ["Reactor", "1abc", "a-b", "a;drop", "a\"b", "", String(repeating: "a", count: 64)])
    func rejectsSchemaNamesThatAreNotPlainIdentifiers(_ schema: String) {
        #expect(throws: ReactorError.self) { try PostgresStoreConfiguration(url: "postgres://u@h/db", schema: schema) }
    }

    @Test func rejectsAnEmptyPool() {
        #expect(throws: ReactorError.self) { try PostgresStoreConfiguration(url: "postgres://u@h/db", poolSize: 0) }
    }
}
