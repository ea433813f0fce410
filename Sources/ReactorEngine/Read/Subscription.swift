import ReactorCore
import Synchronization

/// One subscription to the changes of documents matching a ``DocumentQuery``, opened with
/// ``SubscriptionManager/open(_:after:bufferLimit:)``.
///
/// Changes come in global ordinal order (so each document's changes in index order), each once. A resumed
/// subscription first replays from the store every matching change after its resume position, then continues live
/// with no gap and no duplicate. Iterate it as an `AsyncSequence` of ``DocumentChange`` (it throws
/// `SUBSCRIPTION_OVERFLOW` when the subscriber fell behind), or call ``next()`` for every ``Event``.
///
/// One consumer at a time. ``cancel()`` (or releasing the subscription) ends it.
public final class Subscription: AsyncSequence, Sendable {
    public typealias Element = DocumentChange

    /// What ``next()`` returns.
    public enum Event: Sendable {
        /// A matching change.
        case change(DocumentChange)
        /// ``tick()`` was called and no change is waiting (a stream writer sends a heartbeat, checks a deadline).
        case tick
        /// The last event: more than the buffer's worth of changes waited for this subscriber (or the server could not
        /// keep the stream exact). Every matching change at or below `resumeAfter` was returned; open a new
        /// subscription with `after: resumeAfter` to receive the rest.
        case overflow(resumeAfter: Int64)
    }

    /// The query the subscription matches.
    public let query: DocumentQuery
    /// Where the stream starts: the resume position it was opened with, else the position when it was opened.
    public let startPosition: Int64
    let manager: SubscriptionManager
    let id: Int
    let mailbox: SubscriptionMailbox

    private struct Replay {
        /// Replayed through this ordinal.
        var cursor: Int64
        /// Replays up to this ordinal (the live stream starts after it).
        var through: Int64
        var ready: [DocumentChange] = []
    }

    private struct State {
        var replay: Replay?
        var position: Int64
    }

    private let state: Mutex<State>

    init(manager: SubscriptionManager, id: Int, query: DocumentQuery, mailbox: SubscriptionMailbox, start: Int64, replayThrough: Int64?) {
        self.manager = manager
        self.id = id
        self.query = query
        self.mailbox = mailbox
        self.startPosition = start
        let replay = replayThrough.flatMap { $0 > start ? Replay(cursor: start, through: $0) : nil }
        self.state = Mutex(State(replay: replay, position: start))
    }

    deinit {
        manager.remove(id)
        mailbox.close()
    }

    /// The resume position: every matching change at or below it has been returned by ``next()``.
    public var position: Int64 { state.withLock { $0.position } }

    /// Changes delivered and not taken yet.
    public var waitingCount: Int { mailbox.count }

    /// The next event: replayed changes first, then live ones; nil once cancelled or after ``Event/overflow(resumeAfter:)``.
    /// Throws when the store cannot be read for a replay.
    public func next() async throws -> Event? {
        if let change = try await nextReplayed() {
            state.withLock { $0.position = Swift.max($0.position, change.position) }
            return .change(change)
        }
        switch await mailbox.take() {
        case .change(let change):
            state.withLock { $0.position = Swift.max($0.position, change.position) }
            return .change(change)
        case .tick:
            return .tick
        case .overflow:
            manager.remove(id)
            return .overflow(resumeAfter: position)
        case nil:
            return nil
        }
    }

    /// Wakes the consumer with ``Event/tick`` when no change is waiting.
    public func tick() { mailbox.tick() }

    /// Ends the subscription: the consumer's ``next()`` returns nil.
    public func cancel() {
        manager.remove(id)
        mailbox.close()
    }

    /// The next replayed change, reading the store page by page; nil once the replay is done.
    private func nextReplayed() async throws -> DocumentChange? {
        while true {
            let step = state.withLock { s -> (change: DocumentChange?, cursor: Int64, through: Int64)? in
                guard var replay = s.replay else { return nil }
                if !replay.ready.isEmpty {
                    let change = replay.ready.removeFirst()
                    s.replay = replay
                    return (change, replay.cursor, replay.through)
                }
                if replay.cursor >= replay.through {
                    s.replay = nil
                    return nil
                }
                return (nil, replay.cursor, replay.through)
            }
            guard let step else { return nil }
            if let change = step.change { return change }
            let (changes, cursor) = try await manager.replayPage(query, after: step.cursor, through: step.through)
            state.withLock { s in
                s.replay?.ready = changes
                s.replay?.cursor = cursor
            }
        }
    }

    /// Iterates the changes; throws `SUBSCRIPTION_OVERFLOW` (with `details.resumeAfter`) at an overflow.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: Subscription

        /// The next change, nil once the subscription ended.
        public mutating func next() async throws -> DocumentChange? {
            while let event = try await subscription.next() {
                switch event {
                case .change(let change): return change
                case .tick: continue
                case .overflow(let resumeAfter):
                    throw ReactorError(.subscriptionOverflow, "the subscriber fell behind; resume after position \(resumeAfter)",
                                       details: ["resumeAfter": String(resumeAfter)])
                }
            }
            return nil
        }
    }

    /// An iterator over the changes.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}
