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
        #expect(try PostgresStoreConfiguration(url: "postgres://u@db.internal/db").tls == .prefer)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@127.0.0.1/db?sslmode=verify-full").tls == .verifyFull)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@h/db?sslmode=allow").tls == .prefer)
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
