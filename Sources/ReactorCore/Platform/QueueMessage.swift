/// The identifier of a message in a ``CacheBackend`` queue, unique within its backend.
///
/// The text is the backend's own identifier (a decimal `bigint` for PostgreSQL, a counter for the in-memory
/// backend); treat it as opaque.
public struct QueueMessageID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The backend's identifier.
    public var rawValue: String

    /// Wraps a backend's identifier.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a backend's identifier.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The identifier.
    public var description: String { rawValue }
}

/// Proof of one delivery of a queue message: what ``CacheBackend/ack(_:)`` and ``CacheBackend/nack(_:delay:)`` take.
///
/// A receipt is valid for its delivery only. Once the message's visibility timeout has passed *and* it has been
/// delivered again, the older receipt is stale: acking or nacking it does nothing and returns `false`, so a slow
/// consumer can never delete or release a message that another consumer is now working on.
public struct QueueReceipt: Sendable, Hashable, Codable {
    /// The queue the message was dequeued from.
    public var queue: String
    /// The message.
    public var id: QueueMessageID
    /// Which delivery this receipt is for (1 for the first).
    public var delivery: Int

    /// Creates a receipt.
    public init(queue: String, id: QueueMessageID, delivery: Int) {
        self.queue = queue
        self.id = id
        self.delivery = delivery
    }
}

/// A message handed out by ``CacheBackend/dequeue(from:visibilityTimeout:)``.
public struct QueueMessage: Sendable, Hashable {
    /// The message's identifier (the one ``CacheBackend/enqueue(_:on:delay:)`` returned).
    public var id: QueueMessageID
    /// The queue it was dequeued from.
    public var queue: String
    /// The payload, exactly as enqueued.
    public var payload: [UInt8]
    /// How many times the message has been handed out, this delivery included (1 on the first delivery).
    public var deliveries: Int

    /// Creates a message.
    public init(id: QueueMessageID, queue: String, payload: [UInt8], deliveries: Int) {
        self.id = id
        self.queue = queue
        self.payload = payload
        self.deliveries = deliveries
    }

    /// The receipt of this delivery, for ``CacheBackend/ack(_:)`` and ``CacheBackend/nack(_:delay:)``.
    public var receipt: QueueReceipt { QueueReceipt(queue: queue, id: id, delivery: deliveries) }

    /// The payload decoded as UTF-8 (invalid sequences replaced).
    public var string: String { String(decoding: payload, as: UTF8.self) }
}
