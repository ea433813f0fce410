import Hummingbird
import NIOCore
import Synchronization

/// The answers of refused WebSocket upgrades, by connection, kept until the connection writes them.
///
/// HummingbirdWebSocket decides an upgrade with the WebSocket router and, when the router refuses, writes a fixed
/// empty 400 whatever the router answered. The WebSocket router records its real answer here
/// (``WebSocketRefusalMiddleware``) and the connection's ``WebSocketRefusalWriter`` writes it in place of the 400, so
/// a refused upgrade gets the status and JSON error body of every other route (401 without a token, 403 from a
/// foreign origin, 421 for a foreign `Host`, 400 for a bad query).
///
/// An entry lives until the connection writes it or closes, whichever comes first.
final class WebSocketRefusals: Sendable {
    /// One recorded answer.
    struct Refusal: Sendable {
        var response: HTTPResponse
        var body: ByteBuffer
    }

    private let byConnection = Mutex<[ObjectIdentifier: Refusal]>([:])

    /// Records `refusal` as the answer `channel` writes for its refused upgrade.
    func record(_ refusal: Refusal, for channel: any Channel) {
        let key = ObjectIdentifier(channel)
        byConnection.withLock { $0[key] = refusal }
        // A connection that closes before writing its answer leaves nothing behind (and so no entry can outlive its
        // channel and be found by another connection under a reused identifier).
        channel.closeFuture.whenComplete { [self] _ in
            _ = byConnection.withLock { $0.removeValue(forKey: key) }
        }
    }

    /// The answer recorded for `channel`, removed.
    func take(for channel: any Channel) -> Refusal? {
        byConnection.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// How many answers wait to be written (for tests).
    var pendingCount: Int { byConnection.withLock { $0.count } }
}

/// The outermost middleware of the WebSocket router: records every answer that refuses an upgrade (any status but
/// 200, the errors already rendered as JSON by ``ErrorMiddleware``) so that the connection writes it.
struct WebSocketRefusalMiddleware: RouterMiddleware {
    typealias Context = ReactorRequestContext
    let refusals: WebSocketRefusals

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard response.status != .ok else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        refusals.record(
            WebSocketRefusals.Refusal(response: response.head, body: collector.bytes), for: context.channel)
        return response
    }
}

/// A response body writer that keeps what is written (an error body is a few hundred bytes).
private final class BodyCollector: ResponseBodyWriter, Sendable {
    private let buffer = Mutex(ByteBuffer())

    var bytes: ByteBuffer { buffer.withLock { $0 } }

    func write(_ part: ByteBuffer) async throws {
        buffer.withLock { _ = $0.writeImmutableBuffer(part) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
