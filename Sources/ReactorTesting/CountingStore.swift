import ReactorCore
import Synchronization

/// A ``ReactorStore`` that forwards everything to another store and counts reads and writes, to check how much a
/// component reads (e.g. that a cold load reads only the operations after the last keyframe). Thread-safe.
public final class CountingStore: ReactorStore {
    private struct Counts {
        var operationsRead = 0
        var keyframeReads = 0
        var commits = 0
    }

    /// The wrapped store.
    public let base: any ReactorStore
    private let counts = Mutex(Counts())

    /// Wraps `base`.
    public init(_ base: any ReactorStore) {
        self.base = base
    }

    /// How many operations ``operations(in:fromIndex:limit:)`` returned in total.
    public var operationsRead: Int { counts.withLock { $0.operationsRead } }
    /// How many times ``latestKeyframe(of:atOrBefore:)`` was called.
    public var keyframeReads: Int { counts.withLock { $0.keyframeReads } }
    /// How many commits were given to ``commit(_:)`` (successful or not).
    public var commits: Int { counts.withLock { $0.commits } }

    /// Sets every count back to zero.
    public func resetCounts() {
        counts.withLock { $0 = Counts() }
    }

    // MARK: ReactorStore

    /// Forwards to the wrapped store.
    public func migrate() async throws { try await base.migrate() }

    /// Forwards to the wrapped store and counts the commits.
    public func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        counts.withLock { $0.commits += commits.count }
        return await base.commit(commits)
    }

    /// Forwards to the wrapped store.
    public func close() async throws { try await base.close() }

    /// Forwards to the wrapped store and counts the operations returned.
    public func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [ReactorCore.Operation] {
        let operations = try await base.operations(in: stream, fromIndex: fromIndex, limit: limit)
        counts.withLock { $0.operationsRead += operations.count }
        return operations
    }

    /// Forwards to the wrapped store.
    public func revisions(documentID: String, branch: String) async throws -> [String: Int] {
        try await base.revisions(documentID: documentID, branch: branch)
    }

    /// Forwards to the wrapped store.
    public func operations(matching query: OperationQuery, page: PageRequest) async throws -> Page<OperationRecord> {
        try await base.operations(matching: query, page: page)
    }

    /// Forwards to the wrapped store.
    public func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord] {
        try await base.operations(afterOrdinal: ordinal, limit: limit)
    }

    /// Forwards to the wrapped store.
    public func latestOrdinal() async throws -> Int64 { try await base.latestOrdinal() }

    /// Forwards to the wrapped store.
    public func existingOperationIDs(_ ids: [String]) async throws -> Set<String> {
        try await base.existingOperationIDs(ids)
    }

    /// Forwards to the wrapped store and counts the call.
    public func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe? {
        counts.withLock { $0.keyframeReads += 1 }
        return try await base.latestKeyframe(of: stream, atOrBefore: index)
    }

    /// Forwards to the wrapped store.
    public func header(id: String) async throws -> DocumentHeader? { try await base.header(id: id) }

    /// Forwards to the wrapped store.
    public func documentID(forSlug slug: String) async throws -> String? { try await base.documentID(forSlug: slug) }

    /// Forwards to the wrapped store.
    public func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader> {
        try await base.findHeaders(matching: query, page: page)
    }

    /// Forwards to the wrapped store.
    public func relationships(from sourceID: String, type: String?) async throws -> [Relationship] {
        try await base.relationships(from: sourceID, type: type)
    }

    /// Forwards to the wrapped store.
    public func relationships(to targetID: String, type: String?) async throws -> [Relationship] {
        try await base.relationships(to: targetID, type: type)
    }

    /// Forwards to the wrapped store.
    public func cursor(named name: String) async throws -> Int64? { try await base.cursor(named: name) }

    /// Forwards to the wrapped store.
    public func saveCursor(named name: String, ordinal: Int64) async throws {
        try await base.saveCursor(named: name, ordinal: ordinal)
    }
}
