import ReactorCore
import Synchronization

/// Knows, per stream, up to which index the read side has indexed operations, and lets reads wait for a
/// ``ConsistencyToken``.
///
/// Streams written by this reactor are tracked as their jobs reach `READ_READY`. For a stream this reactor has no
/// record of (written before a restart), the store is asked: the built-in view is stored atomically with the
/// operations, so what the store has is indexed.
public final class ConsistencyTracker: Sendable {
    private struct State {
        var indexed: [StreamID: Int] = [:]
        /// documents with a job between RUNNING and READ_READY/FAILED in this process
        var writing: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let waiters = Waiters()

    public init() {}

    func beginWrite(_ documentID: String) {
        state.withLock { $0.writing[documentID, default: 0] += 1 }
    }

    func endWrite(_ documentID: String) {
        state.withLock { s in
            if let n = s.writing[documentID], n > 1 { s.writing[documentID] = n - 1 } else { s.writing[documentID] = nil }
        }
        waiters.notifyAll()
    }

    /// Records that the read side indexed these operations.
    func markIndexed(_ records: [OperationRecord]) {
        guard !records.isEmpty else { return }
        state.withLock { s in
            for r in records { s.indexed[r.stream] = max(s.indexed[r.stream] ?? -1, r.operation.index) }
        }
        waiters.notifyAll()
    }

    /// Forgets a stream's position (e.g. when another node wrote it).
    public func forget(_ documentID: String) {
        state.withLock { s in s.indexed = s.indexed.filter { $0.key.documentID != documentID } }
    }

    /// Whether every coordinate of `token` is indexed according to this process's records.
    func isIndexedLocally(_ token: ConsistencyToken) -> Bool {
        state.withLock { s in
            token.highestIndexPerStream.allSatisfy { (s.indexed[$0.key] ?? -1) >= $0.value }
        }
    }

    /// Waits until every coordinate of `token` is indexed, or throws `CONSISTENCY_TIMEOUT` after `timeout`.
    public func wait(for token: ConsistencyToken, store: any ReactorStore, timeout: Duration) async throws {
        if isIndexedLocally(token) { return }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            // Streams this process is not writing: the store is authoritative.
            var missing = false
            for (stream, index) in token.highestIndexPerStream {
                let (known, busy) = state.withLock { ($0.indexed[stream] ?? -1, $0.writing[stream.documentID] != nil) }
                if known >= index { continue }
                if !busy {
                    let revision = try await store.revisions(documentID: stream.documentID, branch: stream.branch)[stream.scope] ?? 0
                    if revision > index {
                        state.withLock { s in s.indexed[stream] = max(s.indexed[stream] ?? -1, revision - 1) }
                        continue
                    }
                }
                missing = true
            }
            if !missing { return }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw ReactorError(.consistencyTimeout, "the read side did not reach the consistency token within \(timeout)",
                                   details: ["coordinates": String(token.coordinates.count)])
            }
            // Wake on local progress, or re-check the store periodically for writes made elsewhere.
            _ = try await waiters.wait(timeout: min(remaining, .milliseconds(50))) { [self] in isIndexedLocally(token) }
        }
    }
}
