extension ReactorError.Code {
    /// Merging a peer's operations would move more local operations than `sync.max_reshuffle` allows.
    public static let mergeTooLarge = ReactorError.Code("MERGE_TOO_LARGE")
    /// A peer's operations cannot be merged here (they conflict in the `document` scope, or across an upgrade).
    public static let mergeUnsupported = ReactorError.Code("MERGE_UNSUPPORTED")
    /// No sync remote has that name.
    public static let remoteNotFound = ReactorError.Code("REMOTE_NOT_FOUND")
    /// A sync remote with that name exists already.
    public static let remoteExists = ReactorError.Code("REMOTE_EXISTS")
    /// The remote is paused, stopped, or its loops run on another node of the cluster.
    public static let remoteNotRunning = ReactorError.Code("REMOTE_NOT_RUNNING")
    /// The peer has no sync channel with that id (register it first).
    public static let channelNotFound = ReactorError.Code("CHANNEL_NOT_FOUND")
    /// A wait for sync (``SyncManager/waitForSync(_:timeout:)``) ran out of time.
    public static let syncTimeout = ReactorError.Code("SYNC_TIMEOUT")
    /// The peer could not be reached or answered with an error.
    public static let peerUnavailable = ReactorError.Code("PEER_UNAVAILABLE")
    /// The peer refused this reactor's credentials (401 or 403).
    public static let peerRefused = ReactorError.Code("PEER_REFUSED")
}
