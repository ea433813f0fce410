import ReactorCore

/// Limits of history work: what one `UNDO`, `REDO` or `PRUNE` may cost.
///
/// A history action rebuilds the stream's effective history from its operations since the last `PRUNE` from 0 or
/// upgrade (without reducing them, see ``History/restore(_:state:loadStates:)``), then reduces only from the nearest
/// stored keyframe. ``maxReplayOperations`` bounds the first part: beyond it the action fails with
/// `HISTORY_TOO_LONG`, and the user prunes the history (`PRUNE` with `start` 0 is always allowed: it needs no replay
/// of the steps' states).
public struct HistoryConfig: Sendable, Hashable {
    /// The most operations one history replay may process (`reactor.max_history_replay_operations`).
    public var maxReplayOperations: Int
    /// How many effective steps apart a replay keeps intermediate states in memory (see
    /// ``History/checkpointInterval``): an undo costs at most this many reductions once the history is loaded.
    public var checkpointInterval: Int

    /// - Parameters:
    ///   - maxReplayOperations: the most operations one history replay may process (at least 1).
    ///   - checkpointInterval: steps between kept states (at least 1).
    public init(maxReplayOperations: Int = 100_000, checkpointInterval: Int = History.defaultCheckpointInterval) {
        self.maxReplayOperations = max(1, maxReplayOperations)
        self.checkpointInterval = max(1, checkpointInterval)
    }
}
