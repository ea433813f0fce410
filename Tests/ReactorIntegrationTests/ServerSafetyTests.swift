import Foundation
import ReactorCore
import Testing

/// `reactor serve` with its zero configuration is safe on a laptop: web pages the user visits cannot change data or
/// read secrets through 127.0.0.1; `server.allowed_hosts` and `server.allowed_origins` open it up explicitly.
@Suite("reactor serve refuses web pages and foreign hosts", .serialized, .timeLimit(.minutes(3)))
struct ServerSafetyTests {
    @Test func zeroConfigurationRefusesForeignPagesAndHosts() async throws {
        let server = try await ServerProcess()
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let admin = try server.adminToken()
        #expect(try await http(.PUT, "\(server.base)/_admin/vault/db/password", ["value": "s3cret"], token: admin).status == 200)
        let create: JSONValue = ["documentType": "reactor/todo-list", "id": "planted"]

        let plain = try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true", create, headers: ["content-type": "text/plain"])
        #expect(plain.status == 415)
        #expect(plain.json["error"]?["code"]?.stringValue == "UNSUPPORTED_MEDIA_TYPE")
        let foreign = try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true", create, headers: ["origin": "https://evil.example"])
        #expect(foreign.status == 403)
        #expect(foreign.json["error"]?["code"]?.stringValue == "ORIGIN_NOT_ALLOWED")
        let migrate = try await http(.POST, "\(server.base)/_admin/migrate", headers: ["origin": "https://evil.example"])
        #expect(migrate.status == 403)
        #expect(try await http(.GET, "\(server.base)/reactor/v1/documents/planted").status == 404)

        let rebound = try await http(.GET, "\(server.base)/_admin/vault/db/password", headers: ["host": "evil.example:8000"])
        #expect(rebound.status == 421)
        #expect(rebound.json["error"]?["code"]?.stringValue == "HOST_NOT_ALLOWED")
        // curl on the same machine, with the local admin token.
        let secret = try await http(.GET, "\(server.base)/_admin/vault/db/password", token: admin)
        #expect(secret.json["value"]?.stringValue == "s3cret")
        #expect(try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true", create).status == 201)
        #expect(try await server.terminate() == 0)
    }

    @Test func configuredHostsAndOriginsAreAccepted() async throws {
        let server = try await ServerProcess(environment: [
            "REACTOR_SERVER__ALLOWED_HOSTS": "reactor.test",
            "REACTOR_SERVER__ALLOWED_ORIGINS": "http://localhost:3000",
        ])
        defer { try? FileManager.default.removeItem(at: server.directory) }
        #expect(try await http(.GET, "\(server.base)/reactor/v1/documents", headers: ["host": "reactor.test"]).status == 200)
        let page = try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "from-app"],
                                  headers: ["origin": "http://localhost:3000"])
        #expect(page.status == 201)
        #expect(try await server.terminate() == 0)
    }
}
