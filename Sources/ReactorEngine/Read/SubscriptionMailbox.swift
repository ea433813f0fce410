import DequeModule
import ReactorCore
import Synchronization

/// The bounded buffer between the ``SubscriptionManager`` (which pushes changes in global ordinal order, never
/// waiting) and one ``Subscription``'s consumer.
///
/// When a change arrives with `limit` changes already waiting, the mailbox overflows: it keeps what it holds, takes
/// nothing more, and after the consumer has taken the waiting changes it reports the overflow once and ends. A change
/// is never dropped while the stream goes on.
final class SubscriptionMailbox: Sendable {
    /// What the consumer takes next.
    enum Item: Sendable {
        case change(DocumentChange)
        case tick
        case overflow
    }

    private struct State {
        var changes: Deque<DocumentChange> = []
        var waiter: CheckedContinuation<Void, Never>?
        var ticked = false
        var overflowed = false
        var overflowReported = false
        var closed = false
    }

    /// The most changes that may wait for the consumer.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Adds a change. Returns false when the mailbox overflowed (now or before) or was closed: the subscriber must then
    /// be removed. `wake` receives the consumer to resume (outside any lock).
    func push(_ change: DocumentChange, wake: inout [CheckedContinuation<Void, Never>]) -> Bool {
        let (accepted, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !s.closed, !s.overflowed else { return (false, nil) }
            if s.changes.count >= limit {
                s.overflowed = true
            } else {
                s.changes.append(change)
            }
            defer { s.waiter = nil }
            return (!s.overflowed, s.waiter)
        }
        if let waiter { wake.append(waiter) }
        return accepted
    }

    /// Marks the mailbox overflowed (the subscription can no longer be kept exact): the consumer takes what waits,
    /// then the overflow.
    func interrupt() {
        resume { s in if !s.closed { s.overflowed = true } }
    }

    /// Wakes the consumer with a ``Item/tick`` (ticks given while one waits count as one).
    func tick() {
        resume { $0.ticked = true }
    }

    /// Ends the mailbox: the consumer's next take returns nil.
    func close() {
        resume { $0.closed = true }
    }

    /// Changes waiting for the consumer.
    var count: Int { state.withLock { $0.changes.count } }

    private func resume(_ change: (inout State) -> Void) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            change(&s)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// The next item: a waiting change first, then a tick, then the overflow (once); nil once closed or after the
    /// overflow. One consumer at a time; a cancelled consumer closes the mailbox.
    func take() async -> Item? {
        while true {
            enum Step { case item(Item?), wait }
            let step = state.withLock { s -> Step in
                if s.closed { return .item(nil) }
                if let change = s.changes.popFirst() { return .item(.change(change)) }
                if s.overflowed {
                    if s.overflowReported { return .item(nil) }
                    s.overflowReported = true
                    return .item(.overflow)
                }
                if s.ticked {
                    s.ticked = false
                    return .item(.tick)
                }
                return .wait
            }
            if case .item(let item) = step { return item }
            if Task.isCancelled {
                close()
                return nil
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { s -> Bool in
                        if s.closed || s.ticked || s.overflowed || !s.changes.isEmpty { return true }
                        s.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                close()
            }
        }
    }
}
