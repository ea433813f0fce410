import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ReactorCore
import ReactorEngine
import ReactorIdentity
import ReactorMemory
import ReactorModels
import ReactorServer
import ReactorTesting
import Synchronization

/// A server with the identity service on a real loopback port (Hummingbird's `.live` test setup): `/auth/v1`, and
/// `/reactor/v1` behind its tokens.
struct IdentityServer: Sendable {
    let client: any TestClientProtocol
    let service: IdentityService
    let vault: MockVault
    let clock: TestClock

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(client.port ?? 0)" }

    static func with(
        store: any IdentityStore = InMemoryIdentityStore(), clock: TestClock = TestClock(Date()), logs: CapturedLogs? = nil,
        _ adjust: (inout IdentityConfiguration) -> Void = { _ in },
        _ body: @Sendable (IdentityServer) async throws -> Void
    ) async throws {
        let vault = MockVault()
        let service = try await makeService(store: store, vault: vault, clock: clock, adjust)
        try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withReactor { module in
            let deps = ServerDependencies(
                reactor: module.reactor, auth: InProcessAuthClient(service: service), identity: service)
            var logger = Logger(label: "identity-test") { _ in logs.map { CapturingLogHandler(logs: $0) as any LogHandler } ?? SwiftLogNoOpLogHandler() }
            logger.logLevel = .trace
            let app = Application(router: ReactorHTTPServer.router(deps), logger: logger)
            try await app.test(.live) { client in
                try await body(IdentityServer(client: client, service: service, vault: vault, clock: clock))
            }
        }
    }

    /// Sends a request with an optional JSON body and bearer token; parses a JSON answer.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, token: String? = nil
    ) async throws -> Reply {
        var headers = HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0.canonicalString) }
        ) { response in
            let text = String(buffer: response.body)
            return Reply(status: response.status, headers: response.headers, json: (try? JSONValueCoder.parse(text)) ?? .null, text: text)
        }
    }

    /// Signs up (or logs in, when `login`) and answers the grant's JSON.
    func grant(_ email: String, password: String = "correct horse", login: Bool = false) async throws -> JSONValue {
        let reply = try await call(.post, login ? "/auth/v1/login" : "/auth/v1/signup", json: ["email": .string(email), "password": .string(password)])
        guard reply.status == (login ? .ok : .created) else {
            throw ReactorError(.internal, "\(login ? "login" : "sign-up") answered \(reply.status): \(reply.text)")
        }
        return reply.json
    }
}

/// A parsed answer.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var json: JSONValue
    var text: String

    var errorCode: String? { json["error"]?["code"]?.stringValue }
}

/// Every log line of a test server, message and metadata, as text.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }
}

/// A log handler that records into ``CapturedLogs`` at every level.
struct CapturingLogHandler: LogHandler {
    let logs: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let error = event.error.map { " error: \($0)" } ?? ""
        logs.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })\(error)")
    }
}
