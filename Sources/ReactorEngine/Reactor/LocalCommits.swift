import ReactorCore
import Synchronization

/// What this node committed, for the cluster follower: the ordinals of its own operations, and which commits are
/// still in flight. A commit's ordinals are known only when the store answers, so the follower, after reading the
/// feed, waits for every commit begun until then (any commit in the page began before the read returned); then it
/// can tell this node's operations from other nodes' without a race (a read model never sees them twice).
final class LocalCommits: Sendable {
    private struct State {
        var lastTicket: UInt64 = 0
        var inFlight: Set<UInt64> = []
        var ordinals: Set<Int64> = []
    }

    private let state = Mutex(State())
    private let waiters = Waiters()

    /// Marks a commit as started; hand the ticket to ``end(_:ordinals:)``.
    func begin() -> UInt64 {
        state.withLock { s in
            s.lastTicket += 1
            s.inFlight.insert(s.lastTicket)
            return s.lastTicket
        }
    }

    /// Marks a commit as ended, with the ordinals it was given (none when it failed).
    func end(_ ticket: UInt64, ordinals: [Int64]) {
        state.withLock { s in
            s.inFlight.remove(ticket)
            s.ordinals.formUnion(ordinals)
        }
        waiters.notifyAll()
    }

    /// The newest ticket handed out so far.
    var lastTicket: UInt64 { state.withLock { $0.lastTicket } }

    /// Returns once every commit with a ticket up to `ticket` has ended (or the task is cancelled).
    func waitForCommits(through ticket: UInt64) async {
        try? await waiters.wait { [self] in state.withLock { s in !s.inFlight.contains { $0 <= ticket } } }
    }

    /// The records of `page` this node did not write. Ordinals at or below `before` (the previous feed position) are
    /// forgotten: the feed never returns them again.
    func remote(_ page: [OperationRecord], after before: Int64) -> [OperationRecord] {
        state.withLock { s in
            if !s.ordinals.isEmpty { s.ordinals = s.ordinals.filter { $0 > before } }
            return page.filter { s.ordinals.remove($0.ordinal) == nil }
        }
    }
}
