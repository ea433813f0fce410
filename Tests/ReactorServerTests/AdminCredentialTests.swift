import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import ReactorConfig
import ReactorCore
import ReactorServer
import ReactorTesting
import ReactorVault
import Testing

/// `/_admin` needs a credential from every caller, loopback included: the local admin token (only from a loopback
/// peer, by the connection's address) or, with `[auth]`, an admin bearer token.
@Suite("Admin credential", .timeLimit(.minutes(3)))
struct AdminCredentialTests {
    /// Every admin operation, with a body where it needs one.
    static let operations: [(HTTPMethod, String, JSONValue?)] = [
        (.GET, "/_admin/version", nil), (.GET, "/_admin/doctor", nil), (.POST, "/_admin/migrate", nil),
        (.GET, "/_admin/vault", nil), (.GET, "/_admin/vault/db/password", nil),
        (.PUT, "/_admin/vault/db/password", ["value": "hijacked"]), (.DELETE, "/_admin/vault/db/password", nil),
    ]

    /// Without `[auth]`, from 127.0.0.1: no credential and a wrong one are 401 on every route (nothing runs, nothing
    /// about the token is said); the local token opens every route.
    @Test func loopbackCallersNeedTheLocalToken() async throws {
        let migrations = RequestGuardTests.CountedMigrations()
        let vault = MockVault(["db/password": "s3cret"])
        let token = testAdminToken.secretText
        try await withLiveServer(vault: vault, admin: migrations.hooks.withTestToken) { port in
            let base = "http://127.0.0.1:\(port)"
            let wrong = AdminToken.generate().secretText
            for (method, path, body) in Self.operations {
                for headers in [[:], ["Authorization": "Bearer \(wrong)"], ["Authorization": "Basic \(token)"],
                                ["Authorization": "Bearer \(token.dropLast())"], ["Authorization": "Bearer \(token)x"]] {
                    let reply = try await rawRequest(method, base + path, headers: headers, json: body)
                    #expect(reply.status == 401, "\(method) \(path) \(headers): \(reply.text)")
                    #expect(reply.json["error"]?["code"]?.stringValue == "UNAUTHENTICATED", "\(method) \(path)")
                    #expect(!reply.text.contains(token) && !reply.text.contains(token.prefix(8)), "\(method) \(path)")
                }
                // The token as a query parameter is not a credential either.
                let query = try await rawRequest(method, base + path + "?access_token=\(token)", json: body)
                #expect(query.status == 401, "\(method) \(path)?access_token")
            }
            #expect(migrations.count == 0)
            #expect(try await vault.get("db/password") == "s3cret")

            let bearer = ["Authorization": "Bearer \(token)"]
            #expect(try await rawRequest(.GET, base + "/_admin/version", headers: bearer).json["version"]?.stringValue == ReactorVersion.current)
            #expect(try await rawRequest(.GET, base + "/_admin/doctor", headers: bearer).status == 200)
            #expect(try await rawRequest(.POST, base + "/_admin/migrate", headers: bearer).status == 200)
            #expect(migrations.count == 1)
            #expect(try await rawRequest(.GET, base + "/_admin/vault/db/password", headers: bearer).json["value"]?.stringValue == "s3cret")
            #expect(try await rawRequest(.PUT, base + "/_admin/vault/db/new", headers: bearer, json: ["value": "v"]).status == 200)
            #expect(try await rawRequest(.DELETE, base + "/_admin/vault/db/new", headers: bearer).status == 204)
            // The rest of the server is unchanged: health and the API (auth off) need nothing.
            #expect(try await rawGet(port: port, "/health").status == 200)
            #expect(try await rawGet(port: port, "/reactor/v1/documents").status == 200)
        }
    }

    /// What decides "this machine" is the connection's peer address, never a name: a `Host` that looks like loopback
    /// (`127.evil.com`, `127.0.0.1`) opens nothing without the token, and with the token a non-loopback `Host` changes
    /// nothing either.
    @Test func hostHeaderDoesNotMakeACallerLocal() async throws {
        let token = testAdminToken.secretText
        let guardConfiguration = RequestGuardConfiguration(allowedHosts: ["127.evil.com", "reactor.example.com"])
        try await withLiveServer(admin: AdminHooks().withTestToken, requestGuard: guardConfiguration) { port in
            for host in ["127.evil.com", "127.evil.com:\(port)", "127.0.0.1", "localhost"] {
                let reply = try await rawGet(port: port, "/_admin/version", headers: ["Host": host])
                #expect(reply.status == 401, "Host: \(host)")
            }
            let named = try await rawGet(port: port, "/_admin/version", headers: ["Host": "reactor.example.com", "Authorization": "Bearer \(token)"])
            #expect(named.status == 200)
        }
        // Without a connection (Hummingbird's router test: the peer address is unknown) the right token is refused:
        // only a loopback peer may use the local token.
        try await withTestServer(admin: AdminHooks().withTestToken) { client, _, _ in
            let reply = try await client.call(.get, "/_admin/version", token: token)
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "UNAUTHENTICATED")
            #expect(reply.json["error"]?["message"]?.stringValue?.contains("from this machine only") == true)
        }
        #expect(!HostName.isLoopback("127.evil.com"))
        #expect(!ReactorHTTPServer.isLoopback("127.0.0.1.nip.io"))
        #expect(ReactorHTTPServer.isLoopback("127.0.0.2") && ReactorHTTPServer.isLoopback("[::1]") && ReactorHTTPServer.isLoopback("localhost"))
    }

    /// A caller on another interface (the server bound to a non-loopback address of this machine) gets 401 even with
    /// the right local token: it is a credential for this machine only. Skipped when the machine has no such address.
    @Test func localTokenIsRefusedFromANonLoopbackPeer() async throws {
        let address = try System.enumerateDevices().lazy.compactMap { $0.address }
            .first { $0.protocol == .inet && !(IPAddress($0.ipAddress ?? "")?.isLoopback ?? true) }?.ipAddress
        guard let address else {
            print("admin credential: no non-loopback IPv4 address on this machine; the non-loopback peer case is not run")
            return
        }
        let token = testAdminToken.secretText
        try await withLiveServer(host: address, admin: AdminHooks().withTestToken) { port in
            let reply = try await rawRequest(.GET, "http://\(address):\(port)/_admin/version", headers: ["Authorization": "Bearer \(token)"])
            #expect(reply.status == 401, "\(address): \(reply.text)")
            #expect(reply.json["error"]?["code"]?.stringValue == "UNAUTHENTICATED")
            #expect(try await rawRequest(.GET, "http://\(address):\(port)/health").status == 200)
        }
    }

    /// With `[auth]` on, an admin bearer token still opens `/_admin` and so does the local token; a user token is 403,
    /// a forged one 401 with the verifier's code, none 401.
    @Test func adminBearerTokensAndTheLocalTokenBothWorkWithAuth() async throws {
        try await withLiveServer(auth: StaticAuthClient(), admin: AdminHooks().withTestToken) { port in
            let base = "http://127.0.0.1:\(port)/_admin/version"
            #expect(try await rawRequest(.GET, base, headers: ["Authorization": "Bearer admin"]).status == 200)
            #expect(try await rawRequest(.GET, base, headers: ["Authorization": "Bearer \(testAdminToken.secretText)"]).status == 200)
            #expect(try await rawRequest(.GET, base, headers: ["Authorization": "Bearer user"]).status == 403)
            let forged = try await rawRequest(.GET, base, headers: ["Authorization": "Bearer forged"])
            #expect(forged.status == 401)
            #expect(forged.json["error"]?["code"]?.stringValue == "TOKEN_SIGNATURE_INVALID")
            let none = try await rawRequest(.GET, base)
            #expect(none.status == 401)
            #expect(none.json["error"]?["code"]?.stringValue == "UNAUTHENTICATED")
        }
    }

    /// `server.admin_token_file = "none"` without `[auth]`: nothing opens `/_admin`, and the answer says why.
    @Test func withoutALocalTokenOrAuthAdminIsClosed() async throws {
        try await withLiveServer(admin: AdminHooks()) { port in
            for headers in [[:], ["Authorization": "Bearer \(testAdminToken.secretText)"]] {
                let reply = try await rawGet(port: port, "/_admin/version", headers: headers)
                #expect(reply.status == 401)
                #expect(reply.json["error"]?["message"]?.stringValue?.contains("accepts no admin credential") == true, "\(reply.text)")
            }
        }
    }
}
