import ReactorConfig
import ReactorCore
import Testing

/// `server.admin_token_file` and `store.ca_file`: where the local admin token lives (or that there is none), and the
/// CA file a PostgreSQL certificate must chain to.
@Suite("Admin token file and PostgreSQL CA file", .timeLimit(.minutes(1)))
struct AdminTokenConfigTests {
    @Test func theTokenFileDefaultsToTheDataDirectory() throws {
        #expect(ReactorConfiguration.defaults.adminTokenFile == ".reactor/admin.token")
        let moved = try ConfigLoader.parse(nil, overrides: ["server.data_dir": "/var/lib/reactor"])
        #expect(moved.adminTokenFile == "/var/lib/reactor/admin.token")
        let named = try ConfigLoader.parse("""
            [server]
            admin_token_file = "/etc/reactor/admin.token"
            """)
        #expect(named.adminTokenFile == "/etc/reactor/admin.token")
        let disabled = try ConfigLoader.parse(nil, environment: ["REACTOR_SERVER__ADMIN_TOKEN_FILE": "none"])
        #expect(disabled.adminTokenFile == nil)
        #expect(ReactorConfiguration.starterFile.contains("admin_token_file = \"\""))
        #expect(ReactorConfiguration.starterFile.contains("reactor token admin"))
    }

    @Test func theCAFileIsRead() throws {
        #expect(ReactorConfiguration.defaults.store.caFile.isEmpty)
        let fromEnvironment = try ConfigLoader.parse(nil, environment: ["REACTOR_STORE__CA_FILE": "/etc/ssl/db-ca.pem"])
        #expect(fromEnvironment.store.caFile == "/etc/ssl/db-ca.pem")
        #expect(ReactorConfiguration.starterFile.contains("ca_file = \"\""))
    }
}
