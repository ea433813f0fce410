import NIOCore
import NIOHTTP1
import ReactorCore

/// Sits right after the HTTP/1 request decoder of a connection and reports to its ``ConnectionGuard`` (with
/// ``HTTPExchangeEvent``s) where requests and responses begin and end, and which parse errors the decoder raised.
///
/// A parse error is not passed on: the guard answers it (400, or 431 for an oversized head) and closes the
/// connection. Hummingbird would write an empty 400 for a later request and nothing at all for the first one of a
/// connection (before the WebSocket-upgrade decision its error handling is not in place).
///
/// When the connection is upgraded to WebSocket (a `101` response head) the observer leaves the pipeline once that
/// response is flushed: what follows is no longer HTTP.
final class HTTPExchangeObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let limits: ConnectionLimits
    /// A `101` was written: the observer leaves at the next flush.
    private var upgraded = false

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgraded else {
            context.fireChannelRead(data)
            return
        }
        switch unwrapInboundIn(data) {
        case .head: context.triggerUserOutboundEvent(HTTPExchangeEvent.requestHead, promise: nil)
        case .body: break
        case .end: context.triggerUserOutboundEvent(HTTPExchangeEvent.requestEnd, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !upgraded else {
            context.write(data, promise: promise)
            return
        }
        let part = unwrapOutboundIn(data)
        context.write(data, promise: promise)
        switch part {
        case .head(let head) where head.status == .switchingProtocols:
            upgraded = true
        case .head:
            context.triggerUserOutboundEvent(HTTPExchangeEvent.responseHead, promise: nil)
        case .body:
            break
        case .end:
            context.triggerUserOutboundEvent(HTTPExchangeEvent.responseEnd, promise: nil)
        }
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        // Leaving here, not in `write`: the upgrade writes its 101 with `writeAndFlush`, whose flush reaches this
        // handler after the write and would be lost once it has left.
        if upgraded { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        context.triggerUserOutboundEvent(HTTPExchangeEvent.malformed(Self.answer(to: parserError, limits: limits)), promise: nil)
    }

    /// The error answered for a request the decoder could not parse.
    static func answer(to error: HTTPParserError, limits: ConnectionLimits) -> ReactorError {
        if error == .headerOverflow {
            return ReactorError(.headersTooLarge,
                                "the request head is larger than \(limits.maxHeaderBytes) bytes (server.max_header_bytes)",
                                details: ["limit": String(limits.maxHeaderBytes)])
        }
        let what: String? = switch error {
        case .invalidMethod: "the method is not an HTTP method"
        case .unexpectedContentLength, .invalidContentLength: "Content-Length is invalid or comes with Transfer-Encoding"
        case .invalidChunkSize: "invalid chunk size"
        case .invalidURL: "invalid request target"
        case .invalidVersion: "invalid HTTP version"
        case .invalidHeaderToken: "invalid header field"
        default: nil
        }
        return ReactorError(.badRequest, what.map { "malformed HTTP request: \($0)" }
                            ?? "malformed HTTP request (its syntax or framing: Transfer-Encoding, chunks)")
    }
}
