import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Writes the recorded answer of a refused WebSocket upgrade (see ``WebSocketRefusals``) in place of the empty 400
/// that HummingbirdWebSocket writes for every refused upgrade.
///
/// One per HTTP/1 connection, between the HTTP codec and the request handling. It acts only on a connection with a
/// recorded refusal, on that connection's 400: it replaces the response head (status, headers, `Content-Length`,
/// `Connection: close`) and writes the recorded body before the end of the response. Every other response passes
/// through untouched.
final class WebSocketRefusalWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let refusals: WebSocketRefusals
    /// The body to write before the end of the response being replaced.
    private var pendingBody: ByteBuffer?

    init(refusals: WebSocketRefusals) {
        self.refusals = refusals
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .badRequest:
            guard let refusal = refusals.take(for: context.channel) else { break }
            var response = refusal.response
            response.headerFields[.connection] = "close"
            response.headerFields[.contentLength] = String(refusal.body.readableBytes)
            pendingBody = refusal.body
            context.write(wrapOutboundOut(.head(response)), promise: promise)
            return
        case .body where pendingBody != nil:
            // The refused upgrade's 400 has no body; nothing of it is written.
            promise?.succeed()
            return
        case .end(let trailers):
            guard let body = pendingBody else { break }
            pendingBody = nil
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }
}
