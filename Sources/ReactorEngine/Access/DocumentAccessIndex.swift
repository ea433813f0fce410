import ReactorCore
import Synchronization

/// The documents' access entries (creator, grants, parents; ``DocumentAccessEntry``), kept in memory so that a
/// permission check of a cached document reads no store.
///
/// An entry is read from the document's `document` scope (through the write cache) and its incoming `child`
/// relationships, and forgotten when a committed operation changes it: any document-scope operation of the document,
/// and a relationship added or removed with the document as its target (its parents changed). The reactor reports
/// every commit, its own (``Reactor``'s job end) and other nodes' (the cluster follower), before a job's token can
/// be used. A load that overlapped such a change is not kept (``invalidate(_:)`` bumps a generation).
public final class DocumentAccessIndex: Sendable {
    private struct State {
        var entries: [String: DocumentAccessEntry] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let load: @Sendable (String) async throws -> DocumentAccessEntry?

    /// An index holding up to `capacity` entries (all are dropped when it is full), reading missing ones with `load`.
    init(capacity: Int = 100_000, load: @escaping @Sendable (String) async throws -> DocumentAccessEntry?) {
        self.capacity = capacity
        self.load = load
    }

    /// The entry of `documentID`; nil when there is no such document.
    public func entry(_ documentID: String) async throws -> DocumentAccessEntry? {
        let (cached, generation) = state.withLock { ($0.entries[documentID], $0.generation) }
        if let cached { return cached }
        guard let loaded = try await load(documentID) else { return nil }
        state.withLock { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[documentID] = loaded
        }
        return loaded
    }

    /// Forgets what committed `records` change: their documents' entries when they touch the `document` scope, and
    /// the targets of relationships they add or remove.
    public func invalidate(_ records: [OperationRecord]) {
        var ids: Set<String> = []
        for record in records where record.stream.scope == Scope.document {
            ids.insert(record.stream.documentID)
            let action = record.operation.action
            if action.type == SystemAction.addRelationship || action.type == SystemAction.removeRelationship,
               let target = action.input["targetId"]?.stringValue {
                ids.insert(target)
            }
        }
        guard !ids.isEmpty else { return }
        state.withLock { s in
            s.generation &+= 1
            for id in ids { s.entries.removeValue(forKey: id) }
        }
    }

    /// Forgets every entry (after a change this node did not see operation by operation).
    public func invalidateAll() {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeAll()
        }
    }

    /// How many entries are held.
    public var count: Int { state.withLock { $0.entries.count } }
}
