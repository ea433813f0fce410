import ReactorCore
import Synchronization

/// The highest ordinal such that every operation at or below it is `READ_READY`: processors never read past it, so
/// they see operations only after their job's read side is done, and never skip one that commits late.
///
/// A commit is announced before it reaches the store (``beginCommit()``): until it ends, its ordinals are unknown but
/// certainly above every ordinal known when it began, so the watermark stays at or below that floor. Without this, a
/// later job committed and read-ready first would move the watermark past an earlier job's ordinals whose read models
/// had not run yet.
final class ReadyWatermark: Sendable {
    /// A commit announced to the watermark.
    struct Ticket: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct State {
        var inFlight: Set<Int64> = []
        var highestCommitted: Int64 = 0
        /// Commits under way (ordinals not known yet): the highest ordinal known when each began.
        var pendingFloors: [UInt64: Int64] = [:]
        var nextTicket: UInt64 = 0
    }

    private let state = Mutex(State())
    private let waiters = Waiters()

    /// Starts from what the store already holds.
    func start(at ordinal: Int64) {
        state.withLock { $0.highestCommitted = max($0.highestCommitted, ordinal) }
        waiters.notifyAll()
    }

    /// Announces a commit about to reach the store.
    func beginCommit() -> Ticket {
        state.withLock { s in
            s.nextTicket += 1
            s.pendingFloors[s.nextTicket] = s.highestCommitted
            return Ticket(id: s.nextTicket)
        }
    }

    /// Ends an announced commit: its `ordinals` (none when it failed) are committed and wait for ``ready(_:)``.
    func endCommit(_ ticket: Ticket, ordinals: [Int64]) {
        state.withLock { s in
            s.pendingFloors[ticket.id] = nil
            guard let highest = ordinals.max() else { return }
            s.inFlight.formUnion(ordinals)
            s.highestCommitted = max(s.highestCommitted, highest)
        }
        waiters.notifyAll()
    }

    func ready(_ ordinals: [Int64]) {
        guard !ordinals.isEmpty else { return }
        state.withLock { s in s.inFlight.subtract(ordinals) }
        waiters.notifyAll()
    }

    var value: Int64 {
        state.withLock { s in
            let ready = s.inFlight.min().map { $0 - 1 } ?? s.highestCommitted
            guard let floor = s.pendingFloors.values.min() else { return ready }
            return min(ready, floor)
        }
    }

    /// Waits until the watermark passes `ordinal` or `timeout` elapses.
    func wait(beyond ordinal: Int64, timeout: Duration) async throws {
        _ = try await waiters.wait(timeout: timeout) { [self] in value > ordinal }
    }

    func poke() { waiters.notifyAll() }
}
