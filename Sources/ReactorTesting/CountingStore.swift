import ReactorCore
import Synchronization

/// A ``ReactorStore`` that forwards everything to another store and counts reads and writes, to check how much a
/// component reads (e.g. that a cold load reads only the operations after the last keyframe). Thread-safe.
public final class CountingStore: ForwardingStore, @unchecked Sendable {
    private struct Counts {
        var operationsRead = 0
        var keyframeReads = 0
        var commits = 0
    }

    private let counts = Mutex(Counts())

    /// How many operations ``operations(in:fromIndex:limit:)`` and ``loadDocument(id:branch:)`` returned in total (a
    /// load's operations to reduce, and each stream's last operation when it is not among them).
    public var operationsRead: Int { counts.withLock { $0.operationsRead } }
    /// How many times ``latestKeyframe(of:atOrBefore:)`` was called, plus one per stream ``loadDocument(id:branch:)``
    /// read with operations.
    public var keyframeReads: Int { counts.withLock { $0.keyframeReads } }
    /// How many commits were given to ``commit(_:)`` (successful or not).
    public var commits: Int { counts.withLock { $0.commits } }

    /// Sets every count back to zero.
    public func resetCounts() {
        counts.withLock { $0 = Counts() }
    }

    /// Forwards to the wrapped store and counts the commits.
    public override func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        self.counts.withLock { $0.commits += commits.count }
        return await base.commit(commits)
    }

    /// Forwards to the wrapped store and counts the operations returned.
    public override func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [Operation] {
        let ops = try await base.operations(in: stream, fromIndex: fromIndex, limit: limit)
        counts.withLock { $0.operationsRead += ops.count }
        return ops
    }

    /// Forwards to the wrapped store and counts what the load read.
    public override func loadDocument(id: String, branch: String) async throws -> StoredDocument? {
        let loaded = try await base.loadDocument(id: id, branch: branch)
        let streams = loaded?.streams.values.filter { $0.revision > 0 } ?? []
        let operations = streams.reduce(0) { $0 + $1.operations.count + ($1.operations.isEmpty ? 1 : 0) }
        counts.withLock {
            $0.operationsRead += operations
            $0.keyframeReads += streams.count
        }
        return loaded
    }

    /// Forwards to the wrapped store and counts the call.
    public override func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe? {
        counts.withLock { $0.keyframeReads += 1 }
        return try await base.latestKeyframe(of: stream, atOrBefore: index)
    }
}
