import Logging
import ReactorCore
import Synchronization

/// Delivers ``DocumentChange``s to ``Subscription``s whose ``DocumentQuery`` matches, in global ordinal order, each
/// once, behind the ready watermark; and replays from the store what a resumed subscription missed.
///
/// **Order.** A committed change is *published* (held back) before its ordinals are marked `READ_READY`, and is
/// *released* to the subscribers only once the ``ReadyWatermark`` (and, in a cluster, the follower's position in the
/// operation feed) has passed all its ordinals; releases go in ordinal order under one lock. So every subscriber sees
/// all changes in global ordinal order, and each document's changes in index order, whatever order the jobs finish
/// in (a document is released to its next job before its change is delivered, and that is harmless now).
///
/// **Positions.** A change's ``DocumentChange/position`` is its highest ordinal. Since releases are in ordinal
/// order, when a subscriber receives a change at position *p*, every matching change with ordinals at or below *p*
/// was delivered before it: *p* is an exact resume point (the SSE event id). A subscription opened at a moment starts
/// after the *released position* then (everything at or below it released before, everything after it released
/// after), unless it resumes from an older position: then it replays the store's operations in between first.
///
/// **Replay.** ``open(_:after:bufferLimit:)`` registers the live subscriber first (its live part starts after the
/// released position *D*), then the subscription reads the store's ordinal feed after the resume position up to *D*
/// (every ordinal at or below *D* is committed and visible, since the watermark passed it), grouping consecutive
/// operations of one document into one change, and continues with the live changes after *D*: no gap, no duplicate.
/// A replayed change is matched with the document's header **at replay time** and carries the document as it is then
/// (not as it was after the change); consecutive operations that live delivery sent as several changes may come as
/// one.
///
/// **Buffers.** Each subscriber has a bounded mailbox (``open(_:after:bufferLimit:)``'s `bufferLimit`): the writer
/// never waits for a subscriber, and a subscriber that falls `bufferLimit` changes behind gets
/// ``Subscription/Event/overflow(resumeAfter:)`` after the changes it holds, and is removed. Nothing is dropped
/// silently.
public final class SubscriptionManager: Sendable {
    private struct Subscriber: Sendable {
        let query: DocumentQuery
        /// Live changes whose first ordinal is at or below this are not for this subscriber.
        let after: Int64
        let mailbox: SubscriptionMailbox
    }

    /// A published change waiting for the watermark.
    private struct Pending: Sendable {
        let change: DocumentChange
        let first: Int64
        /// The document's parents (nil: computed for nobody, no subscriber had a `parentId` query when published).
        let parents: [String]?
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        /// Subscribers whose query has a `parentId`.
        var parentSubscribers = 0
        /// Published changes not yet released, by first ordinal.
        var pending: [Pending] = []
        /// Every change with ordinals at or below this was released (or skipped: see `skippedThrough`).
        var released: Int64 = 0
        /// Changes through this ordinal were not published because nobody subscribed: a new subscriber starts after it.
        var skippedThrough: Int64 = 0
        /// Changes through this ordinal were published without their parents: a new `parentId` subscriber starts after.
        var unparentedThrough: Int64 = 0
        /// In a cluster, the follower's position in the operation feed: changes of other nodes at or below it are
        /// published. Nil on a single node.
        var followed: Int64?
    }

    private let state = Mutex(State())
    let store: any ReactorStore
    let loader: DocumentLoader
    let watermark: ReadyWatermark
    /// Operations read from the store per replay page.
    let replayPageSize = 256

    init(store: any ReactorStore, loader: DocumentLoader, watermark: ReadyWatermark) {
        self.store = store
        self.loader = loader
        self.watermark = watermark
    }

    /// The default most changes that may wait for one subscriber.
    public static let defaultBufferLimit = 10_000

    /// Opens a subscription to changes of documents matching `query`.
    ///
    /// - Parameters:
    ///   - after: a resume position (an earlier change's ``DocumentChange/position`` or ``Subscription/position``):
    ///     every matching change after it is delivered, the missed ones replayed from the store first. Nil: only
    ///     changes from now on.
    ///   - bufferLimit: the most changes that may wait for the subscriber before its stream ends with an overflow.
    /// - Throws: `INVALID_RESUME_POSITION` when `after` is negative or beyond the store's newest operation.
    public func open(_ query: DocumentQuery, after: Int64? = nil, bufferLimit: Int = defaultBufferLimit) async throws -> Subscription {
        if let after { try await checkResumePosition(after) }
        let mailbox = SubscriptionMailbox(limit: bufferLimit)
        let (id, start) = state.withLock { s -> (Int, Int64) in
            s.nextID += 1
            var start = max(s.released, s.skippedThrough)
            if query.parentID != nil {
                start = max(start, s.unparentedThrough)
                s.parentSubscribers += 1
            }
            s.subscribers[s.nextID] = Subscriber(query: query, after: max(start, after ?? start), mailbox: mailbox)
            return (s.nextID, start)
        }
        return Subscription(manager: self, id: id, query: query, mailbox: mailbox, start: after ?? start, replayThrough: start)
    }

    /// Throws `INVALID_RESUME_POSITION` unless `position` is a position of this store.
    public func checkResumePosition(_ position: Int64) async throws {
        let latest = try await store.latestOrdinal()
        guard position >= 0, position <= latest else {
            throw ReactorError(.invalidResumePosition,
                               "resume position \(position) is not a position of this server (the newest is \(latest)); subscribe without one",
                               details: ["position": String(position), "latest": String(latest)])
        }
    }

    /// Active subscriptions.
    public var count: Int { state.withLock { $0.subscribers.count } }

    func remove(_ id: Int) {
        state.withLock { s in
            if let removed = s.subscribers.removeValue(forKey: id), removed.query.parentID != nil { s.parentSubscribers -= 1 }
        }
    }

    // MARK: The write side

    /// Where the reactor starts: the store's newest ordinal. `cluster`: other nodes' changes arrive through
    /// ``followed(through:)``, and nothing is released beyond the follower's position.
    func start(at ordinal: Int64, cluster: Bool) {
        state.withLock { s in
            s.released = max(s.released, ordinal)
            if cluster { s.followed = max(s.followed ?? 0, ordinal) }
        }
    }

    /// Publishes a committed change (one job's `records` of one document, or other nodes' operations of one document)
    /// before its ordinals can pass the watermark. `document` is asked only when someone subscribes.
    func publish(records: [OperationRecord], document: () async throws -> Document?) async rethrows {
        guard let last = records.map(\.ordinal).max() else { return }
        let idle = state.withLock { s -> Bool in
            guard s.subscribers.isEmpty else { return false }
            s.skippedThrough = max(s.skippedThrough, last)
            return true
        }
        if idle { return }
        guard let document = try await document() else { return }
        let change = DocumentChange(document: document, operations: records)
        var parents: [String]?
        while true {
            let needParents = state.withLock { s -> Bool in
                if parents == nil, s.parentSubscribers > 0 { return true }
                let pending = Pending(change: change, first: change.firstOrdinal, parents: parents)
                // Mostly appended: changes are published about in ordinal order.
                let index = s.pending.lastIndex { $0.first < pending.first }.map { $0 + 1 } ?? 0
                s.pending.insert(pending, at: index)
                if parents == nil { s.unparentedThrough = max(s.unparentedThrough, last) }
                return false
            }
            guard needParents else { return }
            // A `parentId` subscriber exists (or came meanwhile): the document's parents decide whether it matches.
            parents = ((try? await store.relationships(to: change.documentID, type: Relationship.child)) ?? []).map(\.sourceID)
        }
    }

    /// In a cluster: the follower published every change of other nodes at or below `ordinal`.
    func followed(through ordinal: Int64) {
        state.withLock { s in s.followed = max(s.followed ?? 0, ordinal) }
        release()
    }

    /// Other nodes' changes through `ordinal` could not be published (a document could not be loaded): every current
    /// subscriber's stream ends with an overflow at its position, so that it resumes from the store instead of missing
    /// them, and new subscribers start after them.
    func interruptAll(through ordinal: Int64) {
        let subscribers = state.withLock { s -> [Subscriber] in
            s.skippedThrough = max(s.skippedThrough, ordinal)
            defer {
                s.subscribers = [:]
                s.parentSubscribers = 0
            }
            return Array(s.subscribers.values)
        }
        for subscriber in subscribers { subscriber.mailbox.interrupt() }
    }

    /// Delivers, in ordinal order, every published change that the watermark (and in a cluster the follower) passed.
    func release() {
        var wake: [CheckedContinuation<Void, Never>] = []
        state.withLock { s in
            let limit = min(watermark.value, s.followed ?? .max)
            guard limit > s.released || !s.pending.isEmpty else { return }
            var taken = 0
            for pending in s.pending {
                guard pending.change.position <= limit else { break }
                taken += 1
                deliver(pending, to: &s, wake: &wake)
            }
            s.pending.removeFirst(taken)
            // A change that the limit cuts in two (a cluster page boundary) stays, and so does the released position.
            let held = s.pending.first.map { $0.first - 1 } ?? .max
            s.released = max(s.released, min(limit, held))
        }
        for waiter in wake { waiter.resume() }
    }

    private func deliver(_ pending: Pending, to s: inout State, wake: inout [CheckedContinuation<Void, Never>]) {
        let change = pending.change
        for (id, subscriber) in s.subscribers where pending.first > subscriber.after {
            guard change.matches(subscriber.query, parents: pending.parents ?? []) else { continue }
            if !subscriber.mailbox.push(change, wake: &wake) {
                s.subscribers[id] = nil
                if subscriber.query.parentID != nil { s.parentSubscribers -= 1 }
            }
        }
    }

    // MARK: Replay

    /// The matching changes among the store's operations after `after` (at most one page, none beyond `through`),
    /// and the ordinal read through.
    func replayPage(_ query: DocumentQuery, after: Int64, through: Int64) async throws -> ([DocumentChange], Int64) {
        let page = try await store.operations(afterOrdinal: after, through: through, limit: replayPageSize)
        guard let last = page.last else { return ([], through) }
        var changes: [DocumentChange] = []
        for group in Reactor.runs(page) {
            let first = group[0]
            // What the operation itself tells (type, id) is checked before the document is loaded.
            if let type = query.documentType, first.documentType != type { continue }
            if let ids = query.ids, !ids.contains(first.stream.documentID) { continue }
            guard let snapshot = try await loader.snapshot(first.stream.documentID, branch: first.stream.branch) else { continue }
            let change = DocumentChange(document: snapshot.document, operations: group)
            var parents: [String] = []
            if query.parentID != nil {
                parents = try await store.relationships(to: change.documentID, type: Relationship.child).map(\.sourceID)
            }
            if change.matches(query, parents: parents) { changes.append(change) }
        }
        return (changes, last.ordinal)
    }
}
