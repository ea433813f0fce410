import ReactorCore

/// A remote as ``SyncManager/status(_:)`` reports it.
public struct SyncRemoteStatus: Sendable, Hashable {
    public var remote: SyncRemote
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
}

/// When a remote acknowledged a job's operations (``SyncManager/waitForSync(_:timeout:)``).
public struct SyncAcknowledgement: Sendable, Hashable {
    public var remote: String
    /// The remote's push cursor when it covered the job.
    public var cursor: Int64
}

/// A document's sync state for one remote (``SyncManager/syncStatus(_:)``).
public struct DocumentSyncStatus: Sendable, Hashable {
    public var remote: String
    public var state: SyncConnectionState
    /// Whether some of the document's operations are not yet acknowledged by the remote.
    public var pending: Bool
    /// Whether the document is quarantined for the remote (its operations from there wait on the dead-letter list).
    public var quarantined: Bool
}
