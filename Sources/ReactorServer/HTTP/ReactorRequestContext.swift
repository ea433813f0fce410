import Hummingbird
import HummingbirdWebSocket
import NIOCore
import ReactorCore

/// The request context of every Reactor route: Hummingbird's core storage, the WebSocket upgrade slot and the
/// verified caller (set by ``AuthMiddleware``).
public struct ReactorRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The verified claims of the bearer token, when the route is authenticated.
    public var claims: AuthClaims?
    /// The connection the request came on (the WebSocket router records a refused upgrade's answer by connection).
    let channel: any Channel

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.claims = nil
        self.channel = source.channel
    }
}
