/// A remote as the engine's `SyncManager.status(_:)` reports it (and ``DocumentClient/syncRemotes()`` lists it).
public struct SyncRemoteStatus: Sendable, Hashable {
    /// The remote's settings. Over HTTP its token is never shown: `"***"` when one is set.
    public var remote: SyncRemote
    /// The connection's state.
    public var state: SyncConnectionState
    /// Why the connection is in the `error` or `retrying` state.
    public var lastError: ReactorError?
    /// The peer's reactor id, once registered.
    public var peerID: String?
    /// The last of this reactor's ordinals the peer acknowledged.
    public var pushCursor: Int64
    /// The last of the peer's ordinals applied here.
    public var pullCursor: Int64
    /// This reactor's ordinals not yet pushed (ready ordinal minus push cursor; some may not match the filter).
    public var pushLag: Int64
    /// Operations from the peer on the dead-letter list.
    public var deadLetters: Int
    /// Documents quarantined for the peer.
    public var quarantined: [String]
    /// Operations pushed to the remote since this process started.
    public var pushedOperations: Int
    /// Operations pulled from the remote since this process started.
    public var pulledOperations: Int

    /// A status with every field given.
    public init(remote: SyncRemote, state: SyncConnectionState, lastError: ReactorError? = nil, peerID: String? = nil,
                pushCursor: Int64 = 0, pullCursor: Int64 = 0, pushLag: Int64 = 0, deadLetters: Int = 0, quarantined: [String] = [],
                pushedOperations: Int = 0, pulledOperations: Int = 0) {
        self.remote = remote
        self.state = state
        self.lastError = lastError
        self.peerID = peerID
        self.pushCursor = pushCursor
        self.pullCursor = pullCursor
        self.pushLag = pushLag
        self.deadLetters = deadLetters
        self.quarantined = quarantined
        self.pushedOperations = pushedOperations
        self.pulledOperations = pulledOperations
    }
}

/// When a remote acknowledged a job's operations (the engine's `SyncManager.waitForSync(_:timeout:)`,
/// ``DocumentClient/waitForSync(_:timeout:)``).
public struct SyncAcknowledgement: Sendable, Hashable {
    /// The remote's name.
    public var remote: String
    /// The remote's push cursor when it covered the job.
    public var cursor: Int64

    /// An acknowledgement by `remote` at `cursor`.
    public init(remote: String, cursor: Int64) {
        self.remote = remote
        self.cursor = cursor
    }
}

/// A document's sync state for one remote (the engine's `SyncManager.syncStatus(_:)`).
public struct DocumentSyncStatus: Sendable, Hashable {
    /// The remote's name.
    public var remote: String
    /// The remote's connection state.
    public var state: SyncConnectionState
    /// Whether some of the document's operations are not yet acknowledged by the remote.
    public var pending: Bool
    /// Whether the document is quarantined for the remote (its operations from there wait on the dead-letter list).
    public var quarantined: Bool

    /// A document's state for `remote`.
    public init(remote: String, state: SyncConnectionState, pending: Bool, quarantined: Bool) {
        self.remote = remote
        self.state = state
        self.pending = pending
        self.quarantined = quarantined
    }
}
