/// A message delivered to a ``PubSub`` subscriber.
public struct PubSubMessage: Sendable, Hashable {
    /// The channel it was published to.
    public var channel: String
    /// The payload, exactly as published.
    public var payload: [UInt8]

    /// Creates a message.
    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// The payload decoded as UTF-8 (invalid sequences replaced).
    public var string: String { String(decoding: payload, as: UTF8.self) }
}
