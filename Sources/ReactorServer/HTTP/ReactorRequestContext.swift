import Hummingbird
import HummingbirdWebSocket
import NIOCore
import ReactorCore

/// The request context of every Reactor route: Hummingbird's core storage, the WebSocket upgrade slot, the
/// verified caller (set by ``AuthMiddleware``) and the connection's peer address.
public struct ReactorRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The verified claims of the bearer token, when the route is authenticated.
    public var claims: AuthClaims?
    /// The connection the request came on (the WebSocket router records a refused upgrade's answer by connection).
    let channel: any Channel

    /// The address of the connection's other end (nil when unknown, as in Hummingbird's router tests). This, never a
    /// header or the bind name, is what decides whether a caller is on this machine (``isFromLoopback``).
    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// Whether the connection comes from this machine's loopback interface (`127.0.0.0/8`, `::1`), by its peer
    /// address. False when the peer address is unknown.
    public var isFromLoopback: Bool {
        guard let address = remoteAddress?.ipAddress else { return false }
        return IPAddress(address)?.isLoopback == true
    }

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.claims = nil
        self.channel = source.channel
    }
}
