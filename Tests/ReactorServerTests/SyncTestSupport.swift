import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ReactorConfig
import ReactorCore
import ReactorEngine
import ReactorModels
@testable import ReactorServer
import ReactorTesting
import Testing

/// Sync timings short enough for tests: a pull held 2 s at most, retries from 50 ms up to 1 s.
let testSyncConfig = SyncConfig(pageSize: 100, longPoll: .seconds(2), retryBase: .milliseconds(50), maxBackoff: .seconds(1),
                                requestTimeout: .seconds(10))

/// A server on an ephemeral loopback port, booted like `reactor serve` boots one: an in-memory store, sync with HTTP
/// channels (tokens resolved from `environment`), run by ``ServerRuntime`` (reactor, sync and HTTP in one service
/// group). ``testAdminToken`` opens the remote management.
struct SyncTestServer: Sendable {
    let port: Int
    let module: ReactorModule
    var base: String { "http://127.0.0.1:\(port)" }
    var sync: SyncManager { module.sync! }
    var reactor: Reactor { module.reactor }

    /// Calls the server; `admin` sends the local admin token.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, raw: String? = nil, token: String? = nil,
              admin: Bool = false) async throws -> SyncReply {
        try await httpCall(method, base + path, json: json, raw: raw, token: admin ? testAdminToken.secretText : token)
    }
}

struct SyncReply: Sendable {
    var status: Int
    var json: JSONValue
    var text: String
    var code: String? { json["error"]?["code"]?.stringValue }
}

func httpCall(_ method: HTTPMethod, _ url: String, json: JSONValue? = nil, raw: String? = nil, token: String? = nil) async throws -> SyncReply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let text = raw ?? json?.canonicalString {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: text))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 64 << 20)
    let text = String(buffer: body)
    return SyncReply(status: Int(response.status.code), json: (try? JSONValueCoder.parse(text)) ?? .null, text: text)
}

func withSyncServer<T: Sendable>(
    auth: (any AuthClient)? = nil, environment: [String: String] = [:], options: ServerOptions = ServerOptions(),
    _ body: @Sendable (SyncTestServer) async throws -> T
) async throws -> T {
    let module = try await ReactorBuilder().withDocumentModels(BuiltInModels.all)
        .withSync(testSyncConfig)
        .withSyncChannels(HTTPSyncChannel.factory(config: testSyncConfig, resolver: SecretResolver(environment: environment, vault: nil)))
        .buildModule()
    let deps = ServerDependencies(reactor: module.reactor, sync: module.sync, auth: auth, admin: AdminHooks().withTestToken, options: options)
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await ServerRuntime.run(deps, host: "127.0.0.1", port: 0, logger: Logger(label: "sync-test"), handleSignals: false) { port in
                portContinuation.yield(port)
            }
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let result = try await body(SyncTestServer(port: port, module: module))
        group.cancelAll()
        return result
    }
}

/// Two servers that know nothing of each other yet.
func withTwoSyncServers(
    authB: (any AuthClient)? = nil, _ body: @Sendable (SyncTestServer, SyncTestServer) async throws -> Void
) async throws {
    try await withSyncServer { a in
        try await withSyncServer(auth: authB) { b in try await body(a, b) }
    }
}

/// A todo-list operation as a peer would push it: a valid id for its stream and action.
func syncOperation(document: String = "doc-1", index: Int, actionID: String, padding: Int = 0) -> SyncOperation {
    let stream = StreamID(documentID: document, scope: Scope.global, branch: Branch.main)
    var input: [String: JSONValue] = ["id": .string("t-\(actionID)"), "text": .string("task \(actionID)")]
    if padding > 0 { input["padding"] = .string(String(repeating: "x", count: padding)) }
    let action = Action(id: actionID, type: "ADD_TODO", scope: Scope.global, input: .object(input), timestamp: 1_700_000_000_000 + Int64(index))
    let operation = Operation(id: OperationID.make(stream: stream, actionID: actionID), index: index, timestamp: action.timestamp,
                              hash: "h\(index)", action: action)
    return SyncOperation(documentID: document, documentType: "reactor/todo-list", scope: Scope.global, branch: Branch.main, operation: operation)
}
