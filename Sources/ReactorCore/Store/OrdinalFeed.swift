/// The ordinal feed (``OperationStore/operations(afterOrdinal:limit:)``) of a store whose commits may become
/// readable out of ordinal order.
///
/// In the in-memory and SQLite stores, commits are written one after another, so an operation is readable in the
/// feed as soon as its commit returned, and ``OperationStore/latestOrdinal()`` is also where the feed is complete.
/// The PostgreSQL store lets write transactions run in parallel: a transaction may hold lower ordinals than one that
/// committed before it, so the feed stops below the lowest ordinal a running transaction may hold (its *horizon*)
/// and never skips an operation. There, an operation whose commit returned may still wait behind an older running
/// transaction, and the newest ordinal may be above the horizon. Two requirements cover what readers need:
///
/// - ``OperationStore/operations(afterOrdinal:through:limit:)``: read up to an ordinal known to be committed (this
///   reactor's released or ready position), waiting until the feed reaches it.
/// - ``OperationStore/completeOrdinal()``: where a reader that has seen nothing yet starts.
extension OperationStore {
    /// Reads the feed and keeps what is at or below `through`: right for stores whose feed never lags their commits.
    public func operations(afterOrdinal ordinal: Int64, through: Int64, limit: Int) async throws -> [OperationRecord] {
        guard through > ordinal else { return [] }
        return try await operations(afterOrdinal: ordinal, limit: limit).filter { $0.ordinal <= through }
    }

    /// ``latestOrdinal()``: right for stores whose commits become readable in ordinal order.
    public func completeOrdinal() async throws -> Int64 {
        try await latestOrdinal()
    }
}
