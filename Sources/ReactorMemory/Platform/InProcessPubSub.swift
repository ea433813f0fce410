import ReactorCore
import Synchronization

/// The in-process ``PubSub``: subscriptions and publishers of one process. The default when no shared pub/sub is
/// configured.
///
/// `publish` hands the message to every active subscription of the channel before it returns, so the order of a
/// publisher's messages is kept exactly and nothing is ever lost while a subscription is active. Each subscription
/// buffers without a bound until its messages are read.
public final class InProcessPubSub: PubSub {
    private struct State {
        var channels: [String: [Int: AsyncThrowingStream<PubSubMessage, any Error>.Continuation]] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// A pub/sub with no subscriptions.
    public init() {}

    public func publish(_ payload: [UInt8], to channel: String) async throws {
        try PlatformName.validate(channel, kind: "channel")
        let message = PubSubMessage(channel: channel, payload: payload)
        // Yield under the lock so that concurrent publishers reach every subscription in one order.
        state.withLock { state in
            for continuation in state.channels[channel, default: [:]].values {
                continuation.yield(message)
            }
        }
    }

    public func withSubscription<T: Sendable>(
        to channel: String, _ body: @Sendable (PubSubSubscription) async throws -> T
    ) async throws -> T {
        try PlatformName.validate(channel, kind: "channel")
        let (subscription, continuation) = PubSubSubscription.makeSubscription(channel: channel)
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.channels[channel, default: [:]][id] = continuation
            return id
        }
        defer {
            state.withLock { state in
                state.channels[channel]?[id] = nil
                if state.channels[channel]?.isEmpty == true { state.channels[channel] = nil }
            }
            continuation.finish()
        }
        return try await body(subscription)
    }

    /// How many subscriptions of `channel` are active (for tests).
    public func subscriptionCount(of channel: String) -> Int {
        state.withLock { $0.channels[channel]?.count ?? 0 }
    }
}
