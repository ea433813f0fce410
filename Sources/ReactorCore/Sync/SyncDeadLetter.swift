/// Operations from a peer that could not be applied, kept with the reason until someone looks at them.
public struct SyncDeadLetter: Sendable, Hashable, Codable {
    /// Why the operations were not applied.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// A signature was missing, unknown or forged while verification is required.
        case signature
        /// The operation did not reproduce the state hash its origin recorded.
        case hashMismatch = "hash-mismatch"
        /// Operations the peer should have sent first never arrived (e.g. the document's creation).
        case missingOperations = "missing-operations"
        /// Merging would have moved more local operations than allowed (``SyncConfig/maxReshuffle``).
        case excessiveReshuffle = "excessive-reshuffle"
        /// The document's type or model version is not registered here.
        case unknownModel = "unknown-model"
        /// The document is quarantined for this peer: later operations wait here until it is released.
        case quarantined
        /// Anything else the load refused (the error code says what).
        case rejected
    }

    /// Sortable id: time, then a random part.
    public var id: String
    /// ``SyncPeer/key`` of the peer the operations came from.
    public var peer: String
    public var documentID: String
    public var branch: String
    public var reason: Reason
    /// The error code of the failure (`OPERATION_MISMATCH`, `SIGNATURE_INVALID`, …).
    public var code: String
    public var message: String
    public var operations: [SyncOperation]
    public var createdAt: Int64

    public init(
        id: String, peer: String, documentID: String, branch: String, reason: Reason, code: String, message: String,
        operations: [SyncOperation], createdAt: Int64 = Clock.nowMilliseconds()
    ) {
        self.id = id
        self.peer = peer
        self.documentID = documentID
        self.branch = branch
        self.reason = reason
        self.code = code
        self.message = message
        self.operations = operations
        self.createdAt = createdAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, peer, documentID = "documentId", branch, reason, code, message, operations, createdAt
    }
}

/// A document whose operations from one peer are held back after a failure.
public struct SyncQuarantine: Sendable, Hashable, Codable {
    public var peer: String
    public var documentID: String
    public var reason: SyncDeadLetter.Reason
    public var message: String
    public var since: Int64

    public init(peer: String, documentID: String, reason: SyncDeadLetter.Reason, message: String, since: Int64 = Clock.nowMilliseconds()) {
        self.peer = peer
        self.documentID = documentID
        self.reason = reason
        self.message = message
        self.since = since
    }

    private enum CodingKeys: String, CodingKey { case peer, documentID = "documentId", reason, message, since }
}

/// The other side of a sync relation, as this reactor names it: a remote it connects to, or a channel a peer
/// registered with it.
public enum SyncPeer: Sendable, Hashable {
    case remote(String)
    case channel(String)

    /// `remote:<name>` or `channel:<id>`.
    public var key: String {
        switch self {
        case .remote(let name): "remote:\(name)"
        case .channel(let id): "channel:\(id)"
        }
    }
}

/// A channel a peer registered with this reactor (the server side of a remote).
public struct SyncChannelRecord: Sendable, Hashable, Codable {
    public var registration: SyncChannelRegistration
    public var registeredAt: Int64
    /// When the peer last pushed or pulled.
    public var lastSeenAt: Int64

    public init(registration: SyncChannelRegistration, registeredAt: Int64 = Clock.nowMilliseconds(), lastSeenAt: Int64 = Clock.nowMilliseconds()) {
        self.registration = registration
        self.registeredAt = registeredAt
        self.lastSeenAt = lastSeenAt
    }
}
