import ReactorCore
import Synchronization

/// A change to a document that a subscription matched.
public struct DocumentChange: Sendable {
    public enum Kind: String, Sendable, Codable {
        case created, updated, deleted
    }

    public var kind: Kind
    public var documentID: String
    /// The document after the change.
    public var document: Document
    /// The operations the change appended.
    public var operations: [OperationRecord]
}

/// Delivers ``DocumentChange``s to subscribers whose ``DocumentQuery`` matches, as each job becomes `READ_READY`.
public final class SubscriptionManager: Sendable {
    private struct Subscriber: Sendable {
        let query: DocumentQuery
        let deliver: @Sendable (DocumentChange) async -> Void
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())
    let store: any ReactorStore

    init(store: any ReactorStore) {
        self.store = store
    }

    /// Calls `callback` for every change to a matching document, in order. Returns a cancel function's token.
    public func subscribe(_ query: DocumentQuery, _ callback: @escaping @Sendable (DocumentChange) async -> Void) -> Int {
        state.withLock { s in
            s.nextID += 1
            s.subscribers[s.nextID] = Subscriber(query: query, deliver: callback)
            return s.nextID
        }
    }

    /// The changes to matching documents as an async sequence. Ends when the subscription is cancelled.
    public func changes(_ query: DocumentQuery, bufferingNewest limit: Int = 10_000) -> AsyncStream<DocumentChange> {
        let (stream, continuation) = AsyncStream<DocumentChange>.makeStream(bufferingPolicy: .bufferingNewest(limit))
        let id = subscribe(query) { change in continuation.yield(change) }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    /// Stops a subscription.
    public func unsubscribe(_ id: Int) {
        state.withLock { s in s.subscribers[id] = nil }
    }

    /// Active subscriptions.
    public var count: Int { state.withLock { $0.subscribers.count } }

    /// Called with each `READ_READY` job's records and the resulting document.
    func deliver(records: [OperationRecord], document: Document) async {
        // Each change arrives once: the cluster follower skips this node's own commits (`LocalCommits`).
        let subscribers = state.withLock { Array($0.subscribers.values) }
        guard !subscribers.isEmpty else { return }
        let needsParents = subscribers.contains { $0.query.parentID != nil }
        let parents = needsParents ? ((try? await store.relationships(to: document.id, type: Relationship.child)) ?? []).map(\.sourceID) : []
        let types = Set(records.filter { $0.stream.scope == Scope.document }.map(\.operation.action.type))
        let kind: DocumentChange.Kind = types.contains(SystemAction.create) ? .created : types.contains(SystemAction.delete) ? .deleted : .updated
        let change = DocumentChange(kind: kind, documentID: document.id, document: document, operations: records)
        for subscriber in subscribers {
            var query = subscriber.query
            query.includeDeleted = query.includeDeleted || kind == .deleted
            if query.matches(document.header, parents: parents) { await subscriber.deliver(change) }
        }
    }
}
