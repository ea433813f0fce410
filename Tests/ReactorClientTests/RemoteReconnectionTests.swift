import Foundation
import ReactorCore
import ReactorRemote
import ReactorSQLite
import ReactorTesting
import Synchronization
import Testing

/// What only a remote client meets: a server that restarts under a subscription, a connection cut mid-stream, a bad
/// token, an expired one, a server that is down, and a subscription ended by its consumer.
@Suite("RemoteReactorClient: reconnection and failures", .timeLimit(.minutes(3)))
struct RemoteReconnectionTests {
    static let todoList = DocumentClientConformance.todoList

    static func addTodo(_ id: String) -> Action {
        Action(type: "ADD_TODO", input: ["id": .string(id), "text": .string("task \(id)")])
    }

    /// The ids of the to-dos a change added.
    static func added(_ change: DocumentChange) -> [String] {
        change.operations.filter { $0.operation.action.type == "ADD_TODO" }.compactMap { $0.operation.action.input["id"]?.stringValue }
    }

    @Test func aSubscriptionDeliversEveryChangeOnceAcrossAServerRestart() async throws {
        let path = try temporarySQLitePath()
        let port = try LoopbackPort.free()
        let received = Received()
        let (handoff, handoffContinuation) = AsyncStream<DocumentChanges>.makeStream()
        // The consumer outlives the first server: it iterates while the server stops, restarts and is written to again.
        async let consumed: Void = {
            var subscriptions = handoff.makeAsyncIterator()
            guard let changes = await subscriptions.next() else { return }
            // A replay after the reconnection may bring several writes in one change: count the to-dos.
            for try await change in changes {
                _ = received.append(change)
                if received.changes.flatMap(Self.added).count == 6 { return }
            }
        }()
        let id = "restarted"
        try await withServer(store: try SQLiteStore(path: path), port: port) { server in
            let client = server.client()
            handoffContinuation.yield(try await client.changes(DocumentQuery(ids: [id])))
            _ = try await client.create(NewDocument(id: id, documentType: Self.todoList))
            for i in 0..<3 { _ = try await client.execute(id, actions: [Self.addTodo("before-\(i)")]) }
            try await eventually("the changes before the restart arrive") { received.changes.count == 4 }
        }
        try await withServer(store: try SQLiteStore(path: path), port: port) { server in
            let client = server.client()
            for i in 0..<3 { _ = try await client.execute(id, actions: [Self.addTodo("after-\(i)")]) }
            try await eventually("the changes after the restart arrive") { received.changes.flatMap(Self.added).count == 6 }
        }
        try await consumed
        let changes = received.changes
        #expect(changes.flatMap(Self.added) == ["before-0", "before-1", "before-2", "after-0", "after-1", "after-2"])
        #expect(changes.first?.kind == .created)
        let positions = changes.map(\.position)
        #expect(positions == positions.sorted() && Set(positions).count == positions.count)
    }

    @Test func aSubscriptionResumesAfterItsConnectionIsCutMidStream() async throws {
        try await withServer { server in
            let proxy = try await TCPProxy(to: server.port)
            let direct = server.client()
            let proxied = RemoteReactorClient(RemoteClientConfiguration(baseURL: "http://127.0.0.1:\(proxy.port)", reconnect: quickReconnect))
            let doc = try await direct.createEmpty(Self.todoList)
            let changes = try await proxied.changes(DocumentQuery(ids: [doc.id]))
            let all = try await within(.seconds(30), "changes on both sides of the cut") {
                var iterator = changes.makeAsyncIterator()
                var all: [DocumentChange] = []
                for i in 0..<2 { _ = try await direct.execute(doc.id, actions: [Self.addTodo("a\(i)")]) }
                while all.count < 2, let change = try await iterator.next() { all.append(change) }
                proxy.cutConnections()
                for i in 0..<2 { _ = try await direct.execute(doc.id, actions: [Self.addTodo("b\(i)")]) }
                // The replay after the reconnection may bring both in one change.
                while all.flatMap(Self.added).count < 4, let change = try await iterator.next() { all.append(change) }
                return all
            }
            try await proxy.close()
            #expect(all.flatMap(Self.added) == ["a0", "a1", "b0", "b1"])
        }
    }

    @Test func aBadTokenIsRefusedWithTheServersCode() async throws {
        let auth = MockAuthClient()
        auth.register(token: "good", for: AuthUser(id: "alice"))
        try await withServer(auth: auth) { server in
            let good = server.client(token: "good")
            let doc = try await good.createEmpty(Self.todoList)
            let bad = await thrownCode { _ = try await server.client(token: "bad").get(doc.id) }
            #expect(bad == .tokenSignature)
            let none = await thrownCode { _ = try await server.client(token: nil).get(doc.id) }
            #expect(none == .unauthenticated)
            let subscription = await thrownCode { _ = try await server.client(token: "bad").changes(DocumentQuery()) }
            #expect(subscription == .tokenSignature)
        }
    }

    @Test func anExpiredTokenEndsTheSubscriptionWithTokenExpired() async throws {
        try await withServer(auth: ExpiringAuthClient(lifetime: 1)) { server in
            let client = server.client(token: "short-lived")
            let changes = try await client.changes(DocumentQuery())
            let error = try await within(.seconds(30), "the token's expiry") {
                do {
                    for try await _ in changes {}
                    return ReactorError(.internal, "the stream ended without an error")
                } catch let error as ReactorError {
                    return error
                }
            }
            #expect(error.code == .tokenExpired)
            #expect(error.details["resumeAfter"] != nil)
        }
    }

    @Test func aServerThatIsDownIsPeerUnavailableAtOnce() async throws {
        let client = RemoteReactorClient(RemoteClientConfiguration(baseURL: "http://127.0.0.1:\(LoopbackPort.closed)", timeout: .seconds(10)))
        let codes = try await within(.seconds(20), "answers from a closed port") {
            [
                await thrownCode { _ = try await client.get("x") },
                await thrownCode { _ = try await client.createEmpty(Self.todoList) },
                await thrownCode { _ = try await client.changes(DocumentQuery()) },
            ]
        }
        #expect(codes == [.peerUnavailable, .peerUnavailable, .peerUnavailable])
    }

    @Test func aSubscriptionThatCannotReconnectGivesUpWithPeerUnavailable() async throws {
        let port = try LoopbackPort.free()
        let changes = try await withServer(port: port) { server in
            try await server.client(reconnect: ReconnectPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxAttempts: 3))
                .changes(DocumentQuery())
        }
        let code = try await within(.seconds(20), "giving up") { await thrownCode { for try await _ in changes {} } }
        #expect(code == .peerUnavailable)
    }

    @Test func endingTheIterationClosesTheRequest() async throws {
        try await withServer { server in
            let client = server.client()
            let doc = try await client.createEmpty(Self.todoList)
            let changes = try await client.changes(DocumentQuery(ids: [doc.id]))
            try await eventually("the server holds the subscription") { server.reactor.subscriptions.count == 1 }
            try await within(.seconds(30), "one change") {
                _ = try await client.execute(doc.id, actions: [Self.addTodo("x")])
                for try await _ in changes { break }
            }
            try await eventually("the server let the subscription go") { server.reactor.subscriptions.count == 0 }
            // A cancelled consumer closes its request too.
            let other = try await client.changes(DocumentQuery(ids: [doc.id]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for try await _ in other {} }
                try await eventually("the second subscription is open") { server.reactor.subscriptions.count == 1 }
                group.cancelAll()
                _ = try? await group.next()
            }
            try await eventually("the cancelled subscription is gone") { server.reactor.subscriptions.count == 0 }
        }
    }
}

/// The changes a consumer task received.
final class Received: Sendable {
    private let list = Mutex<[DocumentChange]>([])

    /// Adds a change and returns how many there are.
    func append(_ change: DocumentChange) -> Int {
        list.withLock { $0.append(change); return $0.count }
    }

    /// The changes so far.
    var changes: [DocumentChange] { list.withLock { $0 } }
}

/// The code of the ``ReactorError`` `body` throws (nil when it throws something else or nothing).
func thrownCode(_ body: () async throws -> Void) async -> ReactorError.Code? {
    do {
        try await body()
        return nil
    } catch {
        return (error as? ReactorError)?.code
    }
}

/// Accepts any token, with an expiry `lifetime` seconds after it is first verified.
struct ExpiringAuthClient: AuthClient {
    let lifetime: TimeInterval

    func verify(token: String) async throws -> AuthClaims {
        AuthClaims(subject: "short", expiresAt: Date().addingTimeInterval(lifetime))
    }

    func user(id: String) async throws -> AuthUser { AuthUser(id: id) }
}
