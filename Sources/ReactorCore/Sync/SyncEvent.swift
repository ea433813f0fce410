/// What sync tells the event bus (``ReactorEvent/sync(_:)``).
public struct SyncEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Operations are on their way to a peer (pushed, not yet acknowledged).
        case pending = "SYNC_PENDING"
        /// A peer acknowledged pushed operations, or pulled operations were applied here.
        case succeeded = "SYNC_SUCCEEDED"
        /// An exchange with a peer failed (it is retried unless the connection stopped).
        case failed = "SYNC_FAILED"
        /// Operations from a peer were put on the dead-letter list and their document quarantined.
        case deadLetter = "SYNC_DEAD_LETTER"
        /// A remote's connection changed state.
        case connection = "SYNC_CONNECTION"
    }

    public var kind: Kind
    /// The remote (or channel) the event is about: ``SyncPeer/key``.
    public var peer: String
    /// The documents concerned, when the event is about operations.
    public var documentIDs: [String]
    /// How many operations.
    public var operations: Int
    /// The cursor after the exchange (this reactor's ordinal when pushing, the peer's when pulling).
    public var cursor: Int64?
    /// The connection's state (``Kind/connection`` events).
    public var state: SyncConnectionState?
    public var error: ReactorError?

    public init(
        kind: Kind, peer: String, documentIDs: [String] = [], operations: Int = 0, cursor: Int64? = nil,
        state: SyncConnectionState? = nil, error: ReactorError? = nil
    ) {
        self.kind = kind
        self.peer = peer
        self.documentIDs = documentIDs
        self.operations = operations
        self.cursor = cursor
        self.state = state
        self.error = error
    }
}

/// The state of a remote's connection.
public enum SyncConnectionState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Registering the channel with the peer.
    case connecting
    /// Exchanging operations (or waiting for some).
    case connected
    /// A transient failure: retrying with backoff.
    case retrying
    /// The peer refused the credentials (401/403): stopped until the remote is changed or resumed.
    case error
    /// Paused by an operator.
    case paused
    /// Not running (the reactor is stopping, or the remote was removed).
    case stopped
}
