/// One entry of a stream's append-only log: the result of reducing one action.
public struct Operation: Sendable, Hashable, Codable {
    /// Deterministic id derived from (document, scope, branch, action id): see ``OperationID``.
    public var id: String
    /// 0-based position in the stream. Unique per stream; never reused, never skipped.
    public var index: Int
    /// How many preceding effective operations replay must ignore (undo, prune); 0 for ordinary operations.
    public var skip: Int
    /// When the operation was written (milliseconds since 1970).
    public var timestamp: Int64
    /// Hash of the scope state after this operation (see ``StateHash``).
    public var hash: String
    /// The action this operation records.
    public var action: Action
    /// The reducer's error, when the reducer threw. The state is then unchanged.
    public var error: String?

    public init(id: String, index: Int, skip: Int = 0, timestamp: Int64, hash: String, action: Action, error: String? = nil) {
        self.id = id
        self.index = index
        self.skip = skip
        self.timestamp = timestamp
        self.hash = hash
        self.action = action
        self.error = error
    }
}

/// An operation together with where it lives: its stream, the global ordinal the reactor gave it, and the document
/// type. This is what read models, processors and subscriptions see.
public struct OperationRecord: Sendable, Hashable, Codable {
    public var stream: StreamID
    public var documentType: String
    /// The reactor-wide ordinal, strictly increasing in commit order (0 until stored).
    public var ordinal: Int64
    public var operation: Operation
    /// The id of the peer reactor the operation came from (sync), or nil when it was written here. Sync never sends
    /// an operation back to the peer it came from.
    public var origin: String?

    public init(stream: StreamID, documentType: String, ordinal: Int64 = 0, operation: Operation, origin: String? = nil) {
        self.stream = stream
        self.documentType = documentType
        self.ordinal = ordinal
        self.operation = operation
        self.origin = origin
    }
}
