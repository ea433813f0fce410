import Foundation
import ReactorCore
import ReactorOpenBao
import ReactorTesting
import Testing

/// `OpenBaoVault` against the KV v2 test server: the vault conformance suite, the wire details (token, namespace,
/// mount, metadata delete) and the failures (refused token, unreachable or silent server).
@Suite("OpenBao vault", .timeLimit(.minutes(3)))
struct OpenBaoVaultTests {
    static let token = "s.test-token"

    static func configuration(_ url: String, namespace: String? = "team-a", mount: String = "kv/reactor", timeout: Duration = .seconds(10)) -> OpenBaoConfiguration {
        OpenBaoConfiguration(address: url, token: token, mount: mount, namespace: namespace, timeout: timeout)
    }

    @Test(arguments: VaultConformance.cases)
    func conformance(_ c: VaultConformanceCase) async throws {
        let server = KV2TestServer(token: Self.token, namespace: "team-a", mount: "kv/reactor")
        try await withRunning(server) { url in
            try await c.run { try OpenBaoVault(configuration: Self.configuration(url)) }
        }
    }

    @Test func wireFormat() async throws {
        let server = KV2TestServer(token: Self.token, namespace: nil, mount: "secret")
        try await withRunning(server) { url in
            let vault = try OpenBaoVault(configuration: Self.configuration(url, namespace: nil, mount: "secret"))
            try await vault.put("db/password", value: "one")
            try await vault.put("db/password", value: "two")
            #expect(server.value("db/password") == "two")
            #expect(try await vault.get("db/password") == "two")
            #expect(try await vault.delete("db/password"))
            #expect(server.value("db/password") == nil)
            #expect(server.served.contains("POST /v1/secret/data/db/password"))
            #expect(server.served.contains("DELETE /v1/secret/metadata/db/password"))
        }
    }

    @Test func refusedTokenAndNamespace() async throws {
        let server = KV2TestServer(token: Self.token, namespace: "team-a", mount: "kv/reactor")
        try await withRunning(server) { url in
            var wrongToken = Self.configuration(url)
            wrongToken.token = "s.wrong"
            var wrongNamespace = Self.configuration(url)
            wrongNamespace.namespace = "team-b"
            for configuration in [wrongToken, wrongNamespace] {
                let vault = try OpenBaoVault(configuration: configuration)
                do {
                    _ = try await vault.get("a")
                    Issue.record("a refused request succeeded")
                } catch let error as ReactorError {
                    #expect(error.code == .vaultUnavailable)
                    #expect(error.details["backend"] == "openbao")
                    #expect(error.details["status"] == "403")
                }
            }
        }
    }

    @Test func unreachableAndSilentServers() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let closed = "http://127.0.0.1:\(LoopbackPort.closed)"
        for url in [closed, listener.url] {
            let vault = try OpenBaoVault(configuration: Self.configuration(url, timeout: .milliseconds(500)))
            let clock = ContinuousClock()
            let start = clock.now
            do {
                try await vault.put("a", value: "b")
                Issue.record("a request to \(url) succeeded")
            } catch let error as ReactorError {
                #expect(error.code == .vaultUnavailable, "\(error)")
                #expect(error.details["backend"] == "openbao")
                #expect(error.message.contains("OpenBao"))
            }
            // Bounded by the timeout (0.5 s); the margin is wide because the whole test run shares two cores.
            #expect(clock.now - start < .seconds(60))
        }
    }

    @Test func badConfigurationNamesTheKey() {
        func key(_ configuration: OpenBaoConfiguration) -> String? {
            thrownDetail("key") { _ = try OpenBaoVault(configuration: configuration) }
        }
        #expect(key(OpenBaoConfiguration(address: "bao:8200", token: "t")) == "vault.address")
        #expect(key(OpenBaoConfiguration(address: "http://bao:8200", token: "")) == "vault.token")
        #expect(key(OpenBaoConfiguration(address: "http://bao:8200", token: "t", mount: "/bad/")) == "vault.mount")
        #expect(key(OpenBaoConfiguration(address: "http://bao:8200", token: "t", namespace: "a b")) == "vault.namespace")
        #expect(key(OpenBaoConfiguration(address: "http://bao:8200", token: "t")) == nil)
    }
}
