import Logging
import NIOCore
import ReactorCore

/// The first handler of every client connection (bytes in, bytes out): it bounds what one connection may hold.
///
/// - A connection beyond `max_connections` (``ConnectionRegistry``) is answered 503 `TOO_MANY_CONNECTIONS` and
///   closed at once.
/// - A request head must arrive within the header-read timeout, counted from the connection's start or from the
///   request's first byte; otherwise 408 `REQUEST_TIMEOUT` (nothing when no byte came) and close.
/// - A request target longer than `max_url_bytes` is answered 414 `URL_TOO_LONG` as soon as it passes the limit.
/// - A request the HTTP decoder cannot parse (reported by ``HTTPExchangeObserver``) is answered 400, or 431
///   `HEADERS_TOO_LARGE` past `max_header_bytes`, and closed.
/// - On a graceful shutdown (`ChannelShouldQuiesceEvent`) a connection between requests (idle, or with a request
///   head still arriving) is closed at once; one with a request in flight is left to finish (Hummingbird closes it
///   after the response; the shutdown deadline closes what remains).
///
/// Keep-alive connections waiting for their next request are closed by Hummingbird's idle timeout.
///
/// An error answer is written, the sending side closed, and what the client still sends is read and dropped for up
/// to ``lingerTime`` before the connection closes: closing a socket with unread input resets it, and the client
/// would lose the answer.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    /// Writes pass through untouched (HTTP bytes, or WebSocket frames' bytes after an upgrade).
    typealias OutboundIn = Any
    typealias OutboundOut = Any

    /// How long a connection answered with an error keeps reading (and dropping) the client's input.
    static let lingerTime = TimeAmount.seconds(2)

    private let limits: ConnectionLimits
    private let refused: Bool
    private let logger: Logger

    /// Counts of the connection's requests and responses (from ``HTTPExchangeEvent``s).
    private var requestHeads = 0, requestEnds = 0, responseHeads = 0, responseEnds = 0
    /// Whether bytes of a request head arrived since the last request (or since the connection started).
    private var headStarted = false
    private var meter = RequestTargetMeter()
    private var headTimer: Scheduled<Void>?
    private var activated = false
    private var quiescing = false
    /// An error answered once the response being written ends.
    private var pendingAnswer: ReactorError?
    private var phase = Phase.open

    private enum Phase {
        case open
        /// The answer is written and the sending side closed; input is dropped until the client closes.
        case lingering(Scheduled<Void>?)
        case closed
    }

    /// A guard for a connection the registry admitted (`refused: false`) or refused.
    init(limits: ConnectionLimits, refused: Bool, logger: Logger) {
        self.limits = limits
        self.refused = refused
        self.logger = logger
    }

    /// No request in flight: every request seen was read to its end and answered.
    private var betweenRequests: Bool { requestHeads == requestEnds && requestEnds == responseEnds }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        phase = .closed
        context.fireChannelInactive()
    }

    private func activate(context: ChannelHandlerContext) {
        guard !activated else { return }
        activated = true
        if refused {
            phase = .closed
            let error = ReactorError(.tooManyConnections,
                                     "the server has \(limits.maxConnections) open connections (server.max_connections); retry later")
            logger.debug("connection refused: \(limits.maxConnections) connections open")
            context.writeAndFlush(NIOAny(ConnectionAnswer.bytes(for: error, headers: [("retry-after", "1")])))
                .assumeIsolated().whenComplete { _ in self.end(context: context) }
            return
        }
        startHeadTimer(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .open = phase else { return }
        let bytes = unwrapInboundIn(data)
        if betweenRequests {
            if !headStarted {
                // A new request begins (on a new connection the timer already runs from its start).
                headStarted = true
                meter.reset()
                if headTimer == nil { startHeadTimer(context: context) }
            }
            meter.read(bytes)
            if meter.targetBytes > limits.maxURLBytes {
                answer(ReactorError(.urlTooLong, "the request URL is longer than \(limits.maxURLBytes) bytes (server.max_url_bytes)",
                                    details: ["limit": String(limits.maxURLBytes)]), context: context)
                return
            }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? HTTPExchangeEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed()
        switch event {
        case .requestHead:
            requestHeads += 1
            headStarted = false
            headTimer?.cancel()
            headTimer = nil
        case .requestEnd:
            requestEnds += 1
        case .responseHead:
            responseHeads += 1
        case .responseEnd:
            responseEnds += 1
            // (On a shutdown, Hummingbird closes the connection once this response is flushed; closing it here would
            // drop the response's unflushed end.)
            if let error = pendingAnswer, responseHeads == responseEnds {
                pendingAnswer = nil
                // Written after the response's end, and flushed with it.
                answer(error, context: context)
            }
        case .malformed(let error):
            guard case .open = phase else { return }
            logger.debug("malformed request", metadata: ["error": "\(error.message)"])
            // Nothing more of this connection is parsed. A response already being written is finished first.
            if responseHeads == responseEnds { answer(error, context: context) } else { pendingAnswer = error }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            switch phase {
            case .open where betweenRequests, .lingering:
                end(context: context)
                return
            case .open, .closed:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func startHeadTimer(context: ChannelHandlerContext) {
        headTimer?.cancel()
        headTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.headerReadTimeout)) {
            self.headTimer = nil
            self.headTimedOut(context: context)
        }
    }

    private func headTimedOut(context: ChannelHandlerContext) {
        guard case .open = phase, betweenRequests else { return }
        guard headStarted else {
            // Nothing arrived: nobody to answer.
            logger.debug("connection closed: no request within the header-read timeout")
            end(context: context)
            return
        }
        answer(ReactorError(.requestTimeout,
                            "the request head did not arrive within \(limits.headerReadTimeout) (server.header_read_timeout_seconds)"),
               context: context)
    }

    /// Writes the answer `error`, closes the sending side, then drops input until the client closes or
    /// ``lingerTime`` passes. The handlers behind are told at once that no more input comes (as when a client closes
    /// its side): Hummingbird's WebSocket-upgrade step, still waiting for a first request, then ends quietly instead of
    /// logging an error for every such connection. The closes they ask for in return wait for the guard's own.
    private func answer(_ error: ReactorError, context: ChannelHandlerContext) {
        guard case .open = phase else { return }
        headTimer?.cancel()
        headTimer = nil
        phase = .lingering(nil)
        logger.debug("connection answered and closed", metadata: ["code": "\(error.code.rawValue)"])
        context.writeAndFlush(NIOAny(ConnectionAnswer.bytes(for: error)))
            .assumeIsolated().whenComplete { _ in
                guard case .lingering = self.phase else { return }
                context.close(mode: .output, promise: nil)
                let timer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTime) {
                    self.end(context: context)
                }
                self.phase = .lingering(timer)
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if case .lingering = phase, !quiescing {
            // A handler behind gave up on the connection the guard answered: it closes when the linger ends (or at
            // once during a shutdown).
            if let promise { context.channel.closeFuture.cascade(to: promise) }
            return
        }
        context.close(mode: mode, promise: promise)
    }

    /// Closes the connection, telling the handlers behind first that no more input comes (see ``answer(_:context:)``).
    private func end(context: ChannelHandlerContext) {
        let wasLingering: Bool
        switch phase {
        case .closed where !context.channel.isActive: return
        case .lingering: wasLingering = true
        case .open, .closed: wasLingering = false
        }
        cancelTimers()
        phase = .closed
        if context.channel.isActive, !wasLingering { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.close(promise: nil)
    }

    private func cancelTimers() {
        headTimer?.cancel()
        headTimer = nil
        if case .lingering(let timer) = phase { timer?.cancel() }
    }
}
