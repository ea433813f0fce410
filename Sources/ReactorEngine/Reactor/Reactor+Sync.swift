import ReactorCore

extension Reactor {
    /// The highest ordinal at or below which every operation is `READ_READY` (what sync and processors may read).
    public var readyOrdinal: Int64 { watermark.value }

    /// Waits until ``readyOrdinal`` passes `ordinal`, or `timeout` elapses (then returns without error).
    public func waitForReady(beyond ordinal: Int64, timeout: Duration) async throws {
        try await watermark.wait(beyond: ordinal, timeout: timeout)
    }
}
