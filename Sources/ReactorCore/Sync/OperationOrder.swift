/// Where an operation belongs in its stream's effective order: by timestamp, then by action id.
///
/// Every reactor orders a stream's operations this way, so reactors that hold the same operations hold them in the
/// same effective order whatever the order they arrived in (see `docs/sync.md`). A reactor writes its own operations
/// after the last one of the stream (``next(after:now:actionID:)``), so an operation written after another one
/// was seen always sorts after it.
public struct OperationOrder: Sendable, Hashable, Comparable, Codable {
    public var timestamp: Int64
    public var actionID: String

    public init(timestamp: Int64, actionID: String) {
        self.timestamp = timestamp
        self.actionID = actionID
    }

    public init(_ operation: Operation) {
        self.init(timestamp: operation.timestamp, actionID: operation.action.id)
    }

    public static func < (a: OperationOrder, b: OperationOrder) -> Bool {
        a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.actionID.utf8.lexicographicallyPrecedes(b.actionID.utf8)
    }

    /// The timestamp a new local operation of action `actionID` gets at wall-clock time `now` so that it sorts after
    /// `last`: `now`, or `last`'s timestamp when the clock is behind it (another reactor's clock ran ahead), plus one
    /// millisecond when it would otherwise tie and sort before `last`.
    public static func next(after last: OperationOrder?, now: Int64, actionID: String) -> Int64 {
        guard let last, now <= last.timestamp else { return now }
        let candidate = OperationOrder(timestamp: last.timestamp, actionID: actionID)
        return last < candidate ? last.timestamp : last.timestamp + 1
    }
}
