/// The messages of one ``PubSub`` subscription, in delivery order.
///
/// It ends (`next()` returns `nil`) when the subscription's scope ends, and throws when the adapter can no longer
/// guarantee delivery (for PostgreSQL: the listening connection was lost, so messages may have been missed; the
/// error is a transient ``ReactorError/Code/storage`` error and a new subscription may be opened). Iterate it from
/// one task at a time. Messages are buffered without a bound until they are read.
public struct PubSubSubscription: AsyncSequence, Sendable {
    /// A delivered message.
    public typealias Element = PubSubMessage
    /// Why the subscription ended early.
    public typealias Failure = any Error

    /// The channel subscribed to.
    public let channel: String
    private let stream: AsyncThrowingStream<PubSubMessage, any Error>

    /// Wraps the stream an adapter feeds (adapters only).
    public init(channel: String, stream: AsyncThrowingStream<PubSubMessage, any Error>) {
        self.channel = channel
        self.stream = stream
    }

    /// Makes a subscription with the continuation that feeds it (adapters only). The buffer is unbounded.
    public static func makeSubscription(channel: String) -> (PubSubSubscription, AsyncThrowingStream<PubSubMessage, any Error>.Continuation) {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: PubSubMessage.self, throwing: (any Error).self)
        return (PubSubSubscription(channel: channel, stream: stream), continuation)
    }

    /// Creates the iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator())
    }

    /// The iterator of a subscription.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<PubSubMessage, any Error>.AsyncIterator

        /// The next message, `nil` when the subscription has ended.
        public mutating func next() async throws -> PubSubMessage? {
            try await base.next()
        }

        /// The next message, `nil` when the subscription has ended.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> PubSubMessage? {
            try await base.next(isolation: actor)
        }
    }
}

@available(*, unavailable)
extension PubSubSubscription.AsyncIterator: Sendable {}
