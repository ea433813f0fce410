import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import ReactorCore
import ReactorServer
import ReactorTesting
import Synchronization
import Testing

/// A web page the user visits must not reach the server on 127.0.0.1: no body but JSON on a state-changing request,
/// no request from a foreign origin, no foreign `Host` (DNS rebinding), CORS only for configured origins.
@Suite("Browser and network safety", .timeLimit(.minutes(3)))
struct RequestGuardTests {
    static let create: JSONValue = ["documentType": "reactor/todo-list", "id": "guarded"]

    @Test func nonJSONBodiesAreRefusedAndChangeNothing() async throws {
        let migrations = CountedMigrations()
        try await withTestServer(admin: migrations.hooks.withTestToken, setup: .live) { client, _, _ in
            // What a page can send without a CORS preflight: text/plain, form-encoded, multipart.
            for type in ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                let reply = try await client.call(.post, "/reactor/v1/documents?wait=true", json: Self.create, headers: [.contentType: type])
                #expect(reply.status == .unsupportedMediaType, "\(type)")
                #expect(reply.errorCode == "UNSUPPORTED_MEDIA_TYPE", "\(type)")
            }
            let migrate = try await client.call(.post, "/_admin/migrate", raw: "{}", headers: [.contentType: "text/plain"])
            #expect(migrate.status == .unsupportedMediaType)
            #expect(migrations.count == 0)
            #expect(try await client.call(.get, "/reactor/v1/documents/guarded").status == .notFound)

            // JSON, with or without parameters, is accepted; so is a POST without a body.
            let created = try await client.call(.post, "/reactor/v1/documents?wait=true", json: Self.create,
                                                headers: [.contentType: "Application/JSON; charset=utf-8"])
            #expect(created.status == .created)
            // (Content-Length: 0: the live client sends a POST without one chunked, which is a body.)
            let bodyless = try await client.call(.post, "/_admin/migrate", token: testAdminToken.secretText, headers: [.contentLength: "0"])
            #expect(bodyless.status == .ok)
            #expect(migrations.count == 1)
        }
    }

    @Test func requestsFromForeignPagesAreRefusedAndChangeNothing() async throws {
        let migrations = CountedMigrations()
        try await withTestServer(vault: MockVault(["db/password": "s3cret"]), admin: migrations.hooks) { client, _, _ in
            let evil: HTTPFields = [.origin: "https://evil.example"]
            let create = try await client.call(.post, "/reactor/v1/documents?wait=true", json: Self.create, headers: evil)
            #expect(create.status == .forbidden)
            #expect(create.errorCode == "ORIGIN_NOT_ALLOWED")
            #expect(create.headers[.accessControlAllowOrigin] == nil)
            let migrate = try await client.call(.post, "/_admin/migrate", headers: evil)
            #expect(migrate.errorCode == "ORIGIN_NOT_ALLOWED")
            // A cross-site page's request without Origin, and an opaque origin (a sandboxed frame, a file).
            let crossSite = try await client.call(.post, "/_admin/migrate", headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.errorCode == "ORIGIN_NOT_ALLOWED")
            let opaque = try await client.call(.post, "/reactor/v1/documents?wait=true", json: Self.create, headers: [.origin: "null"])
            #expect(opaque.errorCode == "ORIGIN_NOT_ALLOWED")
            let secret = try await client.call(.get, "/_admin/vault/db/password", headers: evil)
            #expect(secret.status == .forbidden)
            #expect(!secret.text.contains("s3cret"))
            #expect(migrations.count == 0)
            #expect(try await client.call(.get, "/reactor/v1/documents/guarded").status == .notFound)
            // Health answers whatever the origin.
            #expect(try await client.call(.get, "/health", headers: evil).status == .ok)
        }
    }

    @Test func curlAndTheServersOwnPagesAreAllowed() async throws {
        try await withTestServer { client, _, _ in
            // No Origin (curl, another server).
            #expect(try await client.call(.post, "/reactor/v1/documents?wait=true", json: Self.create).status == .created)
            // The test client calls the server as "localhost": its own origin is http://localhost.
            let own = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "own"],
                                            headers: [.origin: "http://localhost", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(own.status == .created)
            #expect(try await client.call(.get, "/reactor/v1/documents/own").status == .ok)
            // Another port of the same host is another origin.
            let otherPort = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "port"],
                                                  headers: [.origin: "http://localhost:3000"])
            #expect(otherPort.errorCode == "ORIGIN_NOT_ALLOWED")
        }
    }

    @Test func allowedOriginsGetCORSAndOthersGetNone() async throws {
        let guardConfiguration = RequestGuardConfiguration(allowedOrigins: ["http://localhost:3000"])
        try await withTestServer(requestGuard: guardConfiguration) { client, _, _ in
            let app: HTTPFields = [.origin: "http://localhost:3000"]
            var preflightHeaders = app
            preflightHeaders[.accessControlRequestMethod] = "POST"
            preflightHeaders[.accessControlRequestHeaders] = "authorization, content-type"
            let preflight = try await client.call(.options, "/reactor/v1/documents", headers: preflightHeaders)
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "http://localhost:3000")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("authorization") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("content-type") == true)
            #expect(preflight.headers[.accessControlMaxAge] != nil)
            #expect(preflight.headers[.vary]?.contains("Origin") == true)
            #expect(preflight.headers[.accessControlAllowCredentials] == nil)

            let created = try await client.call(.post, "/reactor/v1/documents?wait=true", json: Self.create, headers: app)
            #expect(created.status == .created)
            #expect(created.headers[.accessControlAllowOrigin] == "http://localhost:3000")
            // Errors too, so that the page can read them.
            let missing = try await client.call(.get, "/reactor/v1/documents/missing", headers: app)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.accessControlAllowOrigin] == "http://localhost:3000")

            var otherPreflight: HTTPFields = [.origin: "http://localhost:4000"]
            otherPreflight[.accessControlRequestMethod] = "POST"
            for reply in [
                try await client.call(.options, "/reactor/v1/documents", headers: otherPreflight),
                try await client.call(.get, "/reactor/v1/documents/guarded", headers: [.origin: "http://localhost:4000"]),
            ] {
                #expect(reply.status == .forbidden)
                #expect(reply.errorCode == "ORIGIN_NOT_ALLOWED")
                #expect(!reply.headers.contains { $0.name.canonicalName.hasPrefix("access-control-") })
            }
        }
        // "*" allows every origin.
        try await withTestServer(requestGuard: RequestGuardConfiguration(allowedOrigins: ["*"])) { client, _, _ in
            let reply = try await client.call(.get, "/reactor/v1/documents", headers: [.origin: "https://anywhere.example"])
            #expect(reply.status == .ok)
            #expect(reply.headers[.accessControlAllowOrigin] == "https://anywhere.example")
        }
    }

    @Test func foreignHostIsRefused() async throws {
        let vault = MockVault(["db/password": "s3cret"])
        try await withLiveServer(vault: vault, admin: AdminHooks().withTestToken,
                                 requestGuard: RequestGuardConfiguration(allowedHosts: ["reactor.internal"])) { port in
            let rebound = try await rawGet(port: port, "/_admin/vault/db/password", headers: ["Host": "evil.example:8000"])
            #expect(rebound.status == 421)
            #expect(rebound.json["error"]?["code"]?.stringValue == "HOST_NOT_ALLOWED")
            #expect(!rebound.text.contains("s3cret"))
            let documents = try await rawGet(port: port, "/reactor/v1/documents", headers: ["Host": "evil.example"])
            #expect(documents.status == 421)

            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "LOCALHOST", "reactor.internal:8443"] {
                let reply = try await rawGet(port: port, "/_admin/vault/db/password",
                                             headers: ["Host": host, "Authorization": "Bearer \(testAdminToken.secretText)"])
                #expect(reply.status == 200, "\(host)")
                #expect(reply.json["value"]?.stringValue == "s3cret", "\(host)")
            }
            // Load balancers check health by address.
            #expect(try await rawGet(port: port, "/health", headers: ["Host": "10.0.0.7:8000"]).status == 200)
        }
    }

    /// Bound to every interface, the server sits behind names it cannot know: `Host` is checked only when
    /// `server.allowed_hosts` lists them.
    @Test func everyInterfaceChecksHostOnlyWhenConfigured() async throws {
        try await withLiveServer(host: "0.0.0.0") { port in
            let unchecked = try await rawGet(port: port, "/reactor/v1/documents", headers: ["Host": "reactor.example.com"])
            #expect(unchecked.status == 200)
        }
        try await withLiveServer(host: "0.0.0.0", requestGuard: RequestGuardConfiguration(allowedHosts: ["reactor.example.com"])) { port in
            let listed = try await rawGet(port: port, "/reactor/v1/documents", headers: ["Host": "reactor.example.com"])
            #expect(listed.status == 200)
            let other = try await rawGet(port: port, "/reactor/v1/documents", headers: ["Host": "evil.example"])
            #expect(other.status == 421)
        }
    }

    /// A refused upgrade is never upgraded and gets the status and JSON error of every other route.
    @Test func webSocketUpgradeNeedsATokenAndAnAllowedOriginAndHost() async throws {
        try await withLiveServer(auth: StaticAuthClient()) { port in
            let path = "/reactor/v1/subscriptions/ws?type=reactor/todo-list"
            for (query, headers, status, code) in [
                ("", Self.upgrade, 401, "UNAUTHENTICATED"),  // no token
                ("&access_token=forged", Self.upgrade, 401, "TOKEN_SIGNATURE_INVALID"),
                // Cross-site WebSocket hijacking: browsers send the page's Origin and apply no CORS.
                ("&access_token=user", Self.upgrade.merging(["Origin": "https://evil.example"]) { $1 }, 403, "ORIGIN_NOT_ALLOWED"),
                // DNS rebinding.
                ("&access_token=user", Self.upgrade.merging(["Host": "evil.example:\(port)"]) { $1 }, 421, "HOST_NOT_ALLOWED"),
                // A query the subscription cannot use.
                ("&access_token=user&includeDeleted=perhaps", Self.upgrade, 400, "INVALID_ARGUMENT"),
            ] {
                let refused = try await rawGet(port: port, path + query, headers: headers)
                #expect(refused.status == status, "\(query) \(headers): \(refused.text)")
                #expect(refused.json["error"]?["code"]?.stringValue == code, "\(query) \(headers): \(refused.text)")
                #expect(refused.connection == "close")
            }
            // An upgrade to a path that has no WebSocket is a 404 like any unknown route.
            let unknown = try await rawGet(port: port, "/reactor/v1/documents", headers: Self.upgrade.merging(["Authorization": "Bearer user"]) { $1 })
            #expect(unknown.status == 404, "\(unknown.text)")
            #expect(unknown.json["error"]?["code"]?.stringValue == "NOT_FOUND")

            // Without the upgrade headers, the errors of every route; a plain GET with a token is told to upgrade.
            let noToken = try await rawGet(port: port, path)
            #expect(noToken.status == 401)
            #expect(noToken.json["error"]?["code"]?.stringValue == "UNAUTHENTICATED")
            let hijack = try await rawGet(port: port, path + "&access_token=user", headers: ["Origin": "https://evil.example"])
            #expect(hijack.status == 403)
            #expect(hijack.json["error"]?["code"]?.stringValue == "ORIGIN_NOT_ALLOWED")
            let rebound = try await rawGet(port: port, path + "&access_token=user", headers: ["Host": "evil.example"])
            #expect(rebound.status == 421)
            let plain = try await rawGet(port: port, path + "&access_token=user")
            #expect(plain.status == 426)
            #expect(plain.json["error"]?["code"]?.stringValue == "UPGRADE_REQUIRED")

            // With a token the upgrade succeeds (this client sends `Origin: ws://127.0.0.1`, which no page can send).
            let ready = Mutex(false)
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)\(path)&access_token=user", logger: Logger(label: "ws")
            ) { inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case .text(let text) = message, text.contains("ready") {
                        ready.withLock { $0 = true }
                        try await outbound.close(.normalClosure, reason: nil)
                        return
                    }
                }
            }
            #expect(ready.withLock { $0 })
        }
    }

    /// Admin hooks whose `/_admin/migrate` counts its calls.
    final class CountedMigrations: Sendable {
        private let calls = Mutex(0)
        var count: Int { calls.withLock { $0 } }
        var hooks: AdminHooks {
            AdminHooks(migrate: { [self] in
                calls.withLock { $0 += 1 }
                return .object(["migrated": true, "store": "memory", "applied": []])
            })
        }
    }

    /// The headers of a WebSocket upgrade request.
    static let upgrade: [String: String] = [
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    ]
}

/// A live reply: status, `Connection` header, JSON body (or `.null`) and text.
struct RawReply: Sendable {
    var status: Int
    var connection: String?
    var json: JSONValue
    var text: String
}

/// A GET to the live server on 127.0.0.1 with the given headers (a `Host` header replaces the one AsyncHTTPClient
/// would send).
func rawGet(port: Int, _ path: String, headers: [String: String] = [:]) async throws -> RawReply {
    try await rawRequest(.GET, "http://127.0.0.1:\(port)\(path)", headers: headers)
}

/// One request to `url` with `headers` (replacing the client's own) and an optional JSON body.
func rawRequest(_ method: HTTPMethod, _ url: String, headers: [String: String] = [:], json: JSONValue? = nil) async throws -> RawReply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let json {
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json.canonicalString))
    }
    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
    return RawReply(status: Int(response.status.code), connection: response.headers.first(name: "connection"), json: (try? JSONValueCoder.parse(text)) ?? .null, text: text)
}
