import Hummingbird
import HummingbirdWebSocket
import ReactorCore

/// The request context of every Reactor route: Hummingbird's core storage, the WebSocket upgrade slot and the
/// verified caller (set by ``AuthMiddleware``).
public struct ReactorRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The verified claims of the bearer token, when the route is authenticated.
    public var claims: AuthClaims?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.claims = nil
    }
}
