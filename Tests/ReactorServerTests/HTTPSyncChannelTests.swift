import Foundation
import Hummingbird
import Logging
import NIOCore
import ReactorCore
import ReactorEngine
@testable import ReactorServer
import Testing

/// The HTTP channel against a peer that answers what each test needs, over a real loopback connection.
@Suite("HTTP sync channel: answers become the errors sync expects", .timeLimit(.minutes(2)))
struct HTTPSyncChannelTests {
    /// A peer whose every channel route answers `status` with `body` (after `delay`).
    func withPeer(_ answer: @escaping @Sendable (String) async throws -> Response, _ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, context in
            try await answer(context.parameters.get("channelId") ?? "")
        }
        router.put("reactor/v1/sync/channels/{channelId}", use: handler)
        router.post("reactor/v1/sync/channels/{channelId}/envelopes", use: handler)
        router.get("reactor/v1/sync/channels/{channelId}/operations", use: handler)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) }, logger: Logger(label: "peer"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static let registration = SyncChannelRegistration(channelID: "c", peerID: "p", name: "n", filter: SyncFilter())

    func error(_ work: () async throws -> Void) async -> ReactorError? {
        do {
            try await work()
            return nil
        } catch {
            return error as? ReactorError
        }
    }

    @Test func statusesMapToSyncErrors() async throws {
        try await withPeer({ channel in
            switch channel {
            case "ok": return Self.json(.ok, #"{"reactorId": "peer-1"}"#)
            case "refused": return Self.json(.unauthorized, #"{"error": {"code": "TOKEN_EXPIRED", "message": "expired"}}"#)
            case "forbidden": return Self.json(.forbidden, #"{"error": {"code": "FORBIDDEN", "message": "no"}}"#)
            case "forgotten": return Self.json(.notFound, #"{"error": {"code": "CHANNEL_NOT_FOUND", "message": "register first"}}"#)
            case "gap": return Self.json(.conflict, #"{"error": {"code": "OPERATION_GAP", "message": "gap", "details": {"stream": "d/global/main"}}}"#)
            case "nobody": return Self.json(.notFound, #"{"error": {"code": "NOT_FOUND", "message": "no route"}}"#)
            case "bare": return Response(status: .badRequest)
            case "broken": return Self.json(.internalServerError, #"{"error": {"code": "INTERNAL", "message": "internal error"}}"#)
            case "busy": return Self.json(.serviceUnavailable, "")
            case "junk": return Self.json(.ok, "not json")
            case "big": return Self.json(.ok, #"{"reactorId": ""# + String(repeating: "x", count: 4_096) + #""}"#)
            case "slow":
                try await Task.sleep(for: .seconds(8))  // past the channel's 5 s request timeout
                return Self.json(.ok, #"{"reactorId": "late"}"#)
            default: return Self.json(.ok, "{}")
            }
        }) { base in
            let channel = HTTPSyncChannel(baseURL: base + "/", token: "t", requestTimeout: .seconds(5), maxResponseBytes: 1_024, remoteName: "r")
            func register(_ id: String) async -> ReactorError? {
                await error {
                    var registration = Self.registration
                    registration.channelID = id
                    _ = try await channel.register(registration)
                }
            }
            let expectations: [(String, ReactorError.Code, Bool)] = [
                ("refused", .peerRefused, false), ("forbidden", .peerRefused, false), ("forgotten", .channelNotFound, false),
                ("gap", .operationGap, false), ("nobody", .notFound, false), ("bare", .peerUnavailable, false),
                ("broken", .peerUnavailable, true), ("busy", .peerUnavailable, true), ("junk", .peerUnavailable, true),
                ("big", .payloadTooLarge, false), ("slow", .peerUnavailable, true),
            ]
            for (id, code, transient) in expectations {
                let failure = await register(id)
                #expect(failure?.code == code, "\(id): \(String(describing: failure))")
                #expect(failure?.isTransient == transient, "\(id): \(String(describing: failure))")
                #expect(failure?.details["remote"] == "r", "\(id): \(String(describing: failure))")
            }
            #expect(await register("gap")?.details["stream"] == "d/global/main")
            #expect(await register("ok") == nil)
            // Push and pull take the same way.
            #expect(await error { _ = try await channel.push(SyncEnvelope(senderID: "p", cursor: 1, operations: []), channelID: "forgotten") }?.code
                == .channelNotFound)
            #expect(await error { _ = try await channel.pull(channelID: "refused", after: 0, limit: 10, wait: .seconds(1)) }?.code == .peerRefused)
        }
    }

    @Test func aPeerThatIsNotThereIsUnavailable() async throws {
        let port = try await withSyncServer { $0.port }
        let channel = HTTPSyncChannel(baseURL: "http://127.0.0.1:\(port)", token: nil, requestTimeout: .seconds(5))
        let started = ContinuousClock.now
        let failure = await error { _ = try await channel.register(Self.registration) }
        #expect(failure?.code == .peerUnavailable)
        #expect(failure?.isTransient == true)
        #expect(ContinuousClock.now - started < .seconds(4), "a refused connection fails at once")
    }
}

@Suite("HTTP sync channel: tokens", .timeLimit(.minutes(1)))
struct HTTPSyncChannelTokenTests {
    @Test func literalAndEnvironmentTokensResolveAndVaultOnesNeedTheFactory() throws {
        func remote(_ token: String?) -> SyncRemote { SyncRemote(name: "r", channel: SyncChannelConfig(url: "http://x:1/", token: token)) }
        #expect(try HTTPSyncChannel(remote: remote(nil), environment: [:]).baseURL == "http://x:1")
        #expect(try HTTPSyncChannel(remote: remote("abc"), environment: [:]).token == "abc")
        #expect(try HTTPSyncChannel(remote: remote("env:T"), environment: ["T": "from-env"]).token == "from-env")
        #expect(throws: ReactorError.self) { try HTTPSyncChannel(remote: remote("env:T"), environment: [:]) }
        #expect(throws: ReactorError.self) { try HTTPSyncChannel(remote: remote("vault:sync/r"), environment: [:]) }
    }
}
