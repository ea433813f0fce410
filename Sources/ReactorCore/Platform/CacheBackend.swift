/// A shared cache: a key–value store with per-key time to live, and named work queues with at-least-once delivery.
///
/// Adapters: `ReactorMemory.InMemoryCacheBackend` (one process, the default) and
/// `ReactorPostgres.PostgresCacheBackend` (shared by every node on one database). Every adapter passes
/// `ReactorTesting.CacheConformance`.
///
/// **Names.** Keys and queue names are checked with ``PlatformName/validate(_:kind:)`` (1–256 bytes of UTF-8, no
/// NUL); a bad one fails with ``ReactorError/Code/invalidArgument``. Durations must be greater than zero (a delay
/// may be zero) and at most 100 years.
///
/// **Key–value.** A key set with a TTL disappears once the TTL has passed: reads (`get`, `exists`), `expire` and
/// `delete` treat it as absent from then on, whether or not the backend has physically removed it yet.
///
/// **Queues.** `enqueue` appends a message. `dequeue` hands out the oldest visible message (lowest id first) and
/// hides it for the visibility timeout. A message that is not acked within that time becomes visible again and is
/// delivered once more with ``QueueMessage/deliveries`` increased: delivery is *at least once*, so consumers must be
/// idempotent. `ack` removes the message, `nack` makes it visible again (now or after a delay). Both take the
/// ``QueueReceipt`` of the delivery; a stale receipt (the message was delivered again since) does nothing.
/// Concurrent consumers, on one node or several, never receive the same delivery.
public protocol CacheBackend: Sendable {
    /// The value of `key`, or `nil` when there is none (never set, deleted or expired).
    func get(_ key: String) async throws -> [UInt8]?

    /// Stores `value` under `key`, replacing any value and TTL it had. With a `ttl` the key expires that long after
    /// the call; with `nil` it never expires.
    func set(_ key: String, to value: [UInt8], ttl: Duration?) async throws

    /// Removes `key`. Returns whether there was a live (unexpired) value.
    @discardableResult
    func delete(_ key: String) async throws -> Bool

    /// Gives the live `key` a new TTL counted from now. Returns `false` (and does nothing) when there is no live key.
    @discardableResult
    func expire(_ key: String, ttl: Duration) async throws -> Bool

    /// Whether `key` has a live value.
    func exists(_ key: String) async throws -> Bool

    /// Appends a message with `payload` to `queue`; it becomes visible after `delay` (at once for `nil` or zero).
    /// Returns the message's identifier.
    @discardableResult
    func enqueue(_ payload: [UInt8], on queue: String, delay: Duration?) async throws -> QueueMessageID

    /// Hands out the oldest visible message of `queue` and hides it for `visibilityTimeout`, or returns `nil` when
    /// no message is visible. Never blocks waiting for a message.
    func dequeue(from queue: String, visibilityTimeout: Duration) async throws -> QueueMessage?

    /// Removes the delivered message. Returns `false` when the receipt is stale or the message is gone.
    @discardableResult
    func ack(_ receipt: QueueReceipt) async throws -> Bool

    /// Makes the delivered message visible again, after `delay` (at once for `nil` or zero). Returns `false` when
    /// the receipt is stale or the message is gone.
    @discardableResult
    func nack(_ receipt: QueueReceipt, delay: Duration?) async throws -> Bool

    /// How many messages `queue` holds that have not been acked: visible ones, delayed ones and those in flight.
    func length(of queue: String) async throws -> Int
}

extension CacheBackend {
    /// Stores `value` under `key` without a TTL.
    public func set(_ key: String, to value: [UInt8]) async throws {
        try await set(key, to: value, ttl: nil)
    }

    /// Stores the UTF-8 of `value` under `key`.
    public func set(_ key: String, to value: String, ttl: Duration? = nil) async throws {
        try await set(key, to: Array(value.utf8), ttl: ttl)
    }

    /// The value of `key` decoded as UTF-8 (invalid sequences replaced), or `nil` when there is none.
    public func string(_ key: String) async throws -> String? {
        try await get(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Appends a message that is visible at once.
    @discardableResult
    public func enqueue(_ payload: [UInt8], on queue: String) async throws -> QueueMessageID {
        try await enqueue(payload, on: queue, delay: nil)
    }

    /// Appends a message with the UTF-8 of `payload`.
    @discardableResult
    public func enqueue(_ payload: String, on queue: String, delay: Duration? = nil) async throws -> QueueMessageID {
        try await enqueue(Array(payload.utf8), on: queue, delay: delay)
    }

    /// Makes the delivered message visible again at once.
    @discardableResult
    public func nack(_ receipt: QueueReceipt) async throws -> Bool {
        try await nack(receipt, delay: nil)
    }

    /// Removes the delivered `message` (see ``ack(_:)``).
    @discardableResult
    public func ack(_ message: QueueMessage) async throws -> Bool {
        try await ack(message.receipt)
    }

    /// Makes the delivered `message` visible again (see ``nack(_:delay:)``).
    @discardableResult
    public func nack(_ message: QueueMessage, delay: Duration? = nil) async throws -> Bool {
        try await nack(message.receipt, delay: delay)
    }
}
