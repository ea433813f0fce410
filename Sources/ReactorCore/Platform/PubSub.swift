/// Publish/subscribe messaging over named channels: within one process, or across every node on one database.
///
/// Adapters: `ReactorMemory.InProcessPubSub` (one process, the default) and `ReactorPostgres.PostgresPubSub`
/// (LISTEN/NOTIFY, every node on one database). Every adapter passes `ReactorTesting.PubSubConformance`.
///
/// **Subscribing is scoped.** ``withSubscription(to:_:)`` subscribes, runs its body with the subscription's messages
/// and unsubscribes when the body returns or throws. The subscription is active *before* the body runs, so every
/// message published after the body has started is delivered to it. This keeps every subscription inside a
/// structured task (no unstructured `Task` is needed to feed or end it); to subscribe while doing other work, run
/// `withSubscription` in a child task of a task group.
///
/// **Delivery.** Every message is delivered to every subscription of its channel that is active when the message
/// is published (on this node and, for a shared adapter, on the others), in the order a publisher published its
/// messages when it awaited each `publish`. Messages published before a subscription started are not delivered to
/// it. Delivery is at most once: a subscription that can no longer guarantee delivery ends with an error instead of
/// silently skipping messages (see ``PubSubSubscription``).
///
/// Channel names are checked with ``PlatformName/validate(_:kind:)`` (1–256 bytes of UTF-8, no NUL); a bad one
/// fails with ``ReactorError/Code/invalidArgument``.
public protocol PubSub: Sendable {
    /// Publishes `payload` to every current subscription of `channel`. Returns once the message is handed to the
    /// transport (for PostgreSQL: committed), not when subscribers have read it.
    func publish(_ payload: [UInt8], to channel: String) async throws

    /// Subscribes to `channel`, runs `body` with the subscription's messages and unsubscribes when it ends.
    /// Returns what `body` returns; rethrows what it throws.
    func withSubscription<T: Sendable>(
        to channel: String, _ body: @Sendable (PubSubSubscription) async throws -> T
    ) async throws -> T
}

extension PubSub {
    /// Publishes the UTF-8 of `text` to `channel`.
    public func publish(_ text: String, to channel: String) async throws {
        try await publish(Array(text.utf8), to: channel)
    }
}
