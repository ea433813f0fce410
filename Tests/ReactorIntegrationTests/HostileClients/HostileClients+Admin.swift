import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore
import Testing

/// `/_admin` against the built `reactor serve` (auth off, its zero configuration): a caller on loopback without a
/// credential, with a forged `Host: 127.evil.com`, or with a wrong token gets 401 on every admin route; the local
/// admin token from the data directory opens them; the token file is private (0600); a caller on another interface
/// gets 401 even with the right token.
@Suite("hostile clients: admin without a credential", .tags(.hostileClients), .enabled(if: HostileClientsRun.enabled, HostileClientsRun.reason), .serialized, .timeLimit(.minutes(3)))
struct HostileClientsAdminTests {
    /// Every admin operation with a body where it needs one, and what it answers with the token.
    static let routes: [(method: HTTPMethod, path: String, body: JSONValue?, status: Int)] = [
        (.GET, "/_admin/version", nil, 200), (.GET, "/_admin/doctor", nil, 200), (.POST, "/_admin/migrate", nil, 200),
        (.GET, "/_admin/vault", nil, 200), (.PUT, "/_admin/vault/db/password", ["value": "s3cret"], 200),
        (.GET, "/_admin/vault/db/password", nil, 200), (.DELETE, "/_admin/vault/db/password", nil, 204),
    ]

    @Test func everyAdminRouteNeedsTheTokenEvenOnLoopback() async throws {
        // 127.evil.com is an allowed Host here, so the forged name passes the Host check and reaches /_admin.
        let server = try await ServerProcess(environment: ["REACTOR_SERVER__ALLOWED_HOSTS": "127.evil.com"])
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let file = server.dataDirectory.appendingPathComponent("admin.token").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode == 0o600, "admin.token mode \(String(mode, radix: 8))")
        let token = try server.adminToken()
        let wrong = String(token.reversed())

        var refused = 0
        var attempts = 0
        for route in Self.routes {
            for headers in [[:], ["host": "127.evil.com"], ["host": "127.evil.com:\(server.port)"], ["authorization": "Bearer \(wrong)"],
                            ["host": "127.evil.com", "x-forwarded-for": "127.0.0.1", "authorization": "Bearer not-the-token"]] {
                attempts += 1
                let reply = try await http(route.method, server.base + route.path, route.body, headers: headers)
                #expect(reply.status == 401, "\(route.method) \(route.path) \(headers): \(reply.json)")
                #expect(reply.json["error"]?["code"]?.stringValue == "UNAUTHENTICATED")
                #expect(!reply.json.canonicalString.contains(token))
                if reply.status == 401 { refused += 1 }
            }
        }
        var opened = 0
        for route in Self.routes {
            let reply = try await http(route.method, server.base + route.path, route.body, token: token, headers: ["host": "127.evil.com"])
            #expect(reply.status == route.status, "\(route.method) \(route.path) with the token: \(reply.json)")
            if reply.status == route.status { opened += 1 }
        }
        print("hostile-clients: admin: \(refused) of \(attempts) calls without a valid credential from loopback refused with 401 "
              + "(forged Host 127.evil.com included); \(opened) of \(Self.routes.count) routes open with the local token; admin.token mode "
              + String(mode, radix: 8))
        #expect(try await server.terminate() == 0)
    }

    /// The server bound to a non-loopback address of this machine: a caller there is not local, so the right token
    /// is refused (401); health still answers. Skipped (said so) when the machine has no such address.
    @Test func theTokenIsRefusedFromAnotherInterface() async throws {
        let address = try System.enumerateDevices().lazy.compactMap { $0.address }
            .first { $0.protocol == .inet && !($0.ipAddress ?? "127.").hasPrefix("127.") }?.ipAddress
        guard let address else {
            print("hostile-clients: admin: no non-loopback IPv4 address on this machine; the other-interface case is not run")
            return
        }
        let server = try await ServerProcess(arguments: ["--bind", "\(address):0"])
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let token = try server.adminToken()
        let base = "http://\(address):\(server.port)"
        let reply = try await http(.GET, base + "/_admin/version", token: token)
        #expect(reply.status == 401, "\(reply.json)")
        #expect(try await http(.GET, base + "/health").status == 200)
        print("hostile-clients: admin: the local token from \(address) (not loopback) answered \(reply.status)")
        #expect(try await server.terminate() == 0)
    }
}
