/// One operation as reactors exchange it: the operation as its origin stored it, where it lives, and the state hash
/// before it at the origin (so the receiver can check the hash when it applies the operation on the same state).
public struct SyncOperation: Sendable, Hashable, Codable {
    public var documentID: String
    public var documentType: String
    public var scope: String
    public var branch: String
    public var operation: Operation
    /// The origin's state hash before this operation, when known.
    public var previousHash: String?

    public init(documentID: String, documentType: String, scope: String, branch: String, operation: Operation, previousHash: String? = nil) {
        self.documentID = documentID
        self.documentType = documentType
        self.scope = scope
        self.branch = branch
        self.operation = operation
        self.previousHash = previousHash
    }

    public var stream: StreamID { StreamID(documentID: documentID, scope: scope, branch: branch) }

    private enum CodingKeys: String, CodingKey {
        case documentID = "documentId", documentType, scope, branch, operation, previousHash
    }
}

/// Operations one reactor pushes to another: whole jobs (one job's operations are never split across envelopes), in
/// the sender's ordinal order.
public struct SyncEnvelope: Sendable, Hashable, Codable {
    /// The sender's reactor id (``SyncStore/reactorID()``): operations it carries are never sent back to it.
    public var senderID: String
    /// The sender's ordinal of the last operation the envelope covers (what the sender's cursor advances to).
    public var cursor: Int64
    public var operations: [SyncOperation]

    public init(senderID: String, cursor: Int64, operations: [SyncOperation]) {
        self.senderID = senderID
        self.cursor = cursor
        self.operations = operations
    }

    private enum CodingKeys: String, CodingKey { case senderID = "senderId", cursor, operations }
}

/// What the receiver of an envelope (or of a page) did with it. Every operation was either stored, already held, or
/// put on the dead-letter list; the sender's cursor may advance past all of them.
public struct SyncAck: Sendable, Hashable, Codable {
    /// Operations stored now.
    public var applied: Int
    /// Operations the receiver held already (dropped by id).
    public var duplicates: Int
    /// Operations put on the dead-letter list (their documents are quarantined for this peer).
    public var deadLettered: Int

    public init(applied: Int = 0, duplicates: Int = 0, deadLettered: Int = 0) {
        self.applied = applied
        self.duplicates = duplicates
        self.deadLettered = deadLettered
    }

    public static func + (a: SyncAck, b: SyncAck) -> SyncAck {
        SyncAck(applied: a.applied + b.applied, duplicates: a.duplicates + b.duplicates, deadLettered: a.deadLettered + b.deadLettered)
    }
}

/// A page of a reactor's operations for a peer that pulls.
public struct SyncPage: Sendable, Hashable, Codable {
    public var operations: [SyncOperation]
    /// The ordinal to ask after next time (the last ordinal this page covers, selected or not).
    public var cursor: Int64
    /// Whether more operations are ready after ``cursor``.
    public var hasMore: Bool

    public init(operations: [SyncOperation], cursor: Int64, hasMore: Bool) {
        self.operations = operations
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

/// A reactor registering its channel with a peer (the peer answers with its own id).
public struct SyncChannelRegistration: Sendable, Hashable, Codable {
    /// The channel's id (``SyncRemote/channelID``).
    public var channelID: String
    /// The registering reactor's id.
    public var peerID: String
    /// The registering reactor's name for the peer (for the peer's logs and status).
    public var name: String
    /// What the registering reactor pulls.
    public var filter: SyncFilter
    /// Only operations written at or after this time are served (nil: all).
    public var since: Int64?

    public init(channelID: String, peerID: String, name: String, filter: SyncFilter, since: Int64? = nil) {
        self.channelID = channelID
        self.peerID = peerID
        self.name = name
        self.filter = filter
        self.since = since
    }

    private enum CodingKeys: String, CodingKey { case channelID = "channelId", peerID = "peerId", name, filter, since }
}

/// The answer to a ``SyncChannelRegistration``.
public struct SyncChannelAccepted: Sendable, Hashable, Codable {
    /// The answering reactor's id.
    public var reactorID: String

    public init(reactorID: String) {
        self.reactorID = reactorID
    }

    private enum CodingKeys: String, CodingKey { case reactorID = "reactorId" }
}
