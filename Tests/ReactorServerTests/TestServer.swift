import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorServer
import ReactorTesting
import ReactorVault
import Testing

/// A reactor on the in-memory store (or `store`) behind the server's router, driven through Hummingbird's test client.
///
/// `setup` is `.router` (no connection: the peer address is unknown, so the local admin token is never accepted) or
/// `.live` (a real port on loopback, where ``testAdminToken`` opens `/_admin` when `admin` carries it).
/// `configure` adjusts the reactor's builder (limits, timeouts).
func withTestServer(
    auth: (any AuthClient)? = nil, vault: (any Vault)? = nil, options: ServerOptions = ServerOptions(),
    admin: AdminHooks = AdminHooks(), setup: TestingSetup = .router, store: (any ReactorStore)? = nil,
    requestGuard: RequestGuardConfiguration = RequestGuardConfiguration(), blobs: (any BlobStore)? = nil,
    configure: (ReactorBuilder) -> ReactorBuilder = { $0 },
    _ body: @Sendable (any TestClientProtocol, Reactor, ServerMetrics) async throws -> Void
) async throws {
    var builder = configure(ReactorBuilder().withDocumentModels(BuiltInModels.all))
    if let store { builder = builder.withStore(store) }
    try await builder.withReactor { module in
        let metrics = ServerMetrics()
        let deps = ServerDependencies(reactor: module.reactor, auth: auth, vault: vault, metrics: metrics, admin: admin,
                                      options: options, requestGuard: requestGuard, blobs: blobs)
        let app = Application(router: ReactorHTTPServer.router(deps))
        try await app.test(setup) { client in try await body(client, module.reactor, metrics) }
    }
}

/// The local admin token of the test servers (hand it over with ``AdminHooks/withTestToken``).
let testAdminToken = AdminToken.generate()

extension AdminHooks {
    /// These hooks with ``testAdminToken`` as the local admin token.
    var withTestToken: AdminHooks {
        var hooks = self
        hooks.localToken = testAdminToken
        return hooks
    }
}

/// A parsed response.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var json: JSONValue
    var text: String

    var errorCode: String? { json["error"]?["code"]?.stringValue }
    var errorPath: String? { json["error"]?["path"]?.stringValue }
}

extension TestClientProtocol {
    /// Sends a request with an optional JSON body and parses the reply (JSON when it is JSON). `headers` are added
    /// last (a `Content-Type` there replaces `application/json`).
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, raw: String? = nil, token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = HTTPFields()
        if json != nil || raw != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        for field in extra { headers[field.name] = field.value }
        let body = raw.map { ByteBuffer(string: $0) } ?? json.map { ByteBuffer(string: $0.canonicalString) }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            let text = String(buffer: response.body)
            let parsed = (try? JSONValueCoder.parse(text)) ?? .null
            return Reply(status: response.status, headers: response.headers, json: parsed, text: text)
        }
    }
}

/// Test tokens: "admin" and "user" verify; "expired" and anything else fail with their codes.
struct StaticAuthClient: AuthClient {
    func verify(token: String) async throws -> AuthClaims {
        switch token {
        case "admin": return AuthClaims(subject: "alice", roles: ["admin"])
        case "user": return AuthClaims(subject: "bob")
        case "expired": throw ReactorError(.tokenExpired, "the token has expired")
        default: throw ReactorError(.tokenSignature, "the token's signature does not verify")
        }
    }
}

func todoAction(_ id: String, text: String) -> JSONValue {
    ["id": .string("act-\(id)"), "type": "ADD_TODO", "input": ["id": .string(id), "text": .string(text)]]
}
