import NIOCore
import NIOPosix
import ReactorCore

/// A raw TCP connection to a server, for tests that send what no HTTP client would (oversized heads, TLS bytes on a
/// plain port, half-sent requests) and read exactly what comes back, with a bound on how long they wait.
public final class RawConnection: Sendable {
    /// What arrived on the connection: every byte so far, and whether the server closed its side.
    public struct Received: Sendable {
        /// The bytes received, as text (lossy UTF-8).
        public var text: String
        /// Whether the server closed the connection (or its sending side).
        public var closed: Bool
        /// How long the read waited.
        public var elapsed: Duration

        /// The status code of the first response, if a status line arrived.
        public var status: Int? {
            guard text.hasPrefix("HTTP/1.1 ") else { return nil }
            return Int(text.dropFirst(9).prefix(3))
        }

        /// The body of the first response (after the blank line), if its head arrived.
        public var body: String? {
            guard let range = text.range(of: "\r\n\r\n") else { return nil }
            return String(text[range.upperBound...])
        }
    }

    /// What a read waits for.
    public enum Until: Sendable {
        /// The server closes the connection (or its sending side).
        case closed
        /// A complete response (head, and a body of its `Content-Length`), or the server's close.
        case response
    }

    private let channel: any Channel
    private let collector: NIOLoopBound<Collector>

    private init(channel: any Channel, collector: NIOLoopBound<Collector>) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to `host:port`.
    public static func connect(host: String = "127.0.0.1", port: Int) async throws -> RawConnection {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ClientBootstrap(group: group)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector())
                }
            }
            .connect(host: host, port: port).get()
        let collector = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: Collector.self), eventLoop: channel.eventLoop)
        }.get()
        return RawConnection(channel: channel, collector: collector)
    }

    /// Sends `bytes`; fails when the server has closed the connection.
    public func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// Sends `text`.
    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Waits for `until` and returns what arrived; throws when it did not happen within `within`.
    public func read(until: Until, within: Duration) async throws -> Received {
        let started = ContinuousClock.now
        let promise = channel.eventLoop.makePromise(of: Received.self)
        let collector = self.collector
        channel.eventLoop.execute {
            collector.value.wait(for: until, promise: promise, started: started, timeout: within)
        }
        return try await promise.futureResult.get()
    }

    /// Whether the server has closed the connection, as far as has arrived so far.
    public var isClosed: Bool {
        get async throws {
            let collector = self.collector
            return try await channel.eventLoop.submit { collector.value.closed }.get()
        }
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
    }

    deinit {
        channel.close(promise: nil)
    }
}

/// Collects what a ``RawConnection`` receives and completes the reads waiting for it (on the channel's event loop).
private final class Collector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var bytes: [UInt8] = []
    private(set) var closed = false
    private var waiters: [Waiter] = []

    private final class Waiter {
        let until: RawConnection.Until
        let promise: EventLoopPromise<RawConnection.Received>
        let started: ContinuousClock.Instant
        var timer: Scheduled<Void>?

        init(until: RawConnection.Until, promise: EventLoopPromise<RawConnection.Received>, started: ContinuousClock.Instant) {
            self.until = until
            self.promise = promise
            self.started = started
        }
    }

    func wait(for until: RawConnection.Until, promise: EventLoopPromise<RawConnection.Received>,
              started: ContinuousClock.Instant, timeout: Duration) {
        let waiter = Waiter(until: until, promise: promise, started: started)
        if satisfied(until) {
            promise.succeed(received(since: started))
            return
        }
        waiters.append(waiter)
        waiter.timer = promise.futureResult.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.waiters.removeAll { $0 === waiter }
            let text = String(decoding: self.bytes, as: UTF8.self)
            waiter.promise.fail(ReactorError(
                .internal, "the server did not \(until == .closed ? "close the connection" : "answer") within \(timeout); received so far: \(text.prefix(300))"))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        complete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            closed = true
            complete()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        complete()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset by the server counts as its close.
        closed = true
        complete()
        context.close(promise: nil)
    }

    private func complete() {
        let ready = waiters.filter { satisfied($0.until) }
        waiters.removeAll { waiter in ready.contains { $0 === waiter } }
        for waiter in ready {
            waiter.timer?.cancel()
            waiter.promise.succeed(received(since: waiter.started))
        }
    }

    private func received(since started: ContinuousClock.Instant) -> RawConnection.Received {
        RawConnection.Received(text: String(decoding: bytes, as: UTF8.self), closed: closed, elapsed: ContinuousClock.now - started)
    }

    private func satisfied(_ until: RawConnection.Until) -> Bool {
        if closed { return true }
        switch until {
        case .closed: return false
        case .response: return hasCompleteResponse
        }
    }

    /// Whether the bytes hold a response head and as much body as its `Content-Length` says.
    private var hasCompleteResponse: Bool {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else { return false }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return bytes.count - (end + 4) >= length
    }
}
