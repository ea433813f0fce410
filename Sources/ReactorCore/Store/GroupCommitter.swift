import Synchronization

/// Group commit: coalesces concurrent writers into shared batches, one write (one transaction) per batch.
///
/// A caller ``submit(_:)``s its items and suspends. One drain at a time takes the pending callers in arrival order,
/// up to ``maxBatch`` items (a single caller's items are never split), writes them with one call of the write
/// closure, and resumes each caller with its own outcomes, in order. Callers that arrive while a batch is written go
/// into the next one, so under load each batch carries everything that arrived during the previous write.
///
/// Where a drain runs is the store's choice. The committer calls `schedule` whenever one is due (when a caller
/// arrives and none is scheduled, and after a drain that left callers pending), and the store answers each call with
/// exactly one call of `drain` (synchronous or async), one drain after another: the SQLite store queues a block on
/// GRDB's serial writer queue, the PostgreSQL store wakes its writer loop. `schedule` is called with the committer's
/// lock held: it must only arrange the drain, never run it inline.
///
/// The write runs in the drain, never in a caller's task, so cancelling one caller cannot abort a batch that carries
/// other callers' items. The committer starts no task of its own.
public final class GroupCommitter<Item: Sendable, Success: Sendable>: Sendable {
    /// The outcome of one item.
    public typealias Outcome = Result<Success, ReactorError>

    private struct Waiter {
        var items: [Item]
        var continuation: CheckedContinuation<[Outcome], Never>
    }

    private struct State {
        var pending: [Waiter] = []
        var drainScheduled = false
        /// Set by ``close(refusing:)`` or ``stop(failing:)``: later callers fail with it.
        var refusal: ReactorError?
        var batches = 0
    }

    /// The most items one batch carries, unless a single caller submitted more.
    public let maxBatch: Int
    private let schedule: @Sendable (GroupCommitter) -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maxBatch: The most items one batch carries (a single caller's items are never split).
    ///   - schedule: Arranges one drain of the committer it is given (see the type's description).
    public init(maxBatch: Int, schedule: @escaping @Sendable (GroupCommitter) -> Void) {
        self.maxBatch = max(1, maxBatch)
        self.schedule = schedule
    }

    /// Writes `items` in one of the next batches and returns their outcomes, in order.
    public func submit(_ items: [Item]) async -> [Outcome] {
        guard !items.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let refusal = state.withLock { s -> ReactorError? in
                if let refusal = s.refusal { return refusal }
                s.pending.append(Waiter(items: items, continuation: continuation))
                if !s.drainScheduled {
                    s.drainScheduled = true
                    // Under the lock, so that a close can never slip between enqueueing and scheduling.
                    schedule(self)
                }
                return nil
            }
            if let refusal { continuation.resume(returning: items.map { _ in .failure(refusal) }) }
        }
    }

    /// Refuses later callers with `error`. Callers already pending are still written by the drains due.
    public func close(refusing error: ReactorError) {
        state.withLock { $0.refusal = error }
    }

    /// Fails the callers pending (and, unless ``close(refusing:)`` came first, later ones) with `error`: for a
    /// store whose drains stopped running.
    public func stop(failing error: ReactorError) {
        let left = state.withLock { s -> [Waiter] in
            if s.refusal == nil { s.refusal = error }
            s.drainScheduled = false
            defer { s.pending.removeAll() }
            return s.pending
        }
        for waiter in left { waiter.continuation.resume(returning: waiter.items.map { _ in .failure(error) }) }
    }

    /// How many batches the drains have written (for tests and diagnostics).
    public var batchCount: Int { state.withLock { $0.batches } }

    /// How many submitted items wait for a drain (for tests and diagnostics).
    public var pendingCount: Int { state.withLock { s in s.pending.reduce(0) { $0 + $1.items.count } } }

    /// Writes the next batch with `write`, which returns one outcome per item, in order. Call once per `schedule`.
    public func drain(_ write: ([Item]) -> [Outcome]) {
        let batch = takeBatch()
        guard !batch.isEmpty else { return }
        resume(batch, with: write(batch.flatMap(\.items)))
    }

    /// Writes the next batch with `write`, which returns one outcome per item, in order. Call once per `schedule`.
    public func drain(_ write: ([Item]) async -> [Outcome]) async {
        let batch = takeBatch()
        guard !batch.isEmpty else { return }
        resume(batch, with: await write(batch.flatMap(\.items)))
    }

    /// Takes the callers of the next batch and schedules the drain after it when callers remain.
    private func takeBatch() -> [Waiter] {
        state.withLock { s -> [Waiter] in
            var count = 0
            var taken = 0
            while taken < s.pending.count, taken == 0 || count + s.pending[taken].items.count <= maxBatch {
                count += s.pending[taken].items.count
                taken += 1
            }
            let batch = Array(s.pending.prefix(taken))
            s.pending.removeFirst(taken)
            if taken > 0 { s.batches += 1 }
            if s.pending.isEmpty {
                s.drainScheduled = false
            } else {
                schedule(self)
            }
            return batch
        }
    }

    /// Hands each caller of `batch` its own outcomes; a write that returned too few fails the rest as `INTERNAL`.
    private func resume(_ batch: [Waiter], with outcomes: [Outcome]) {
        var outcomes = outcomes.makeIterator()
        for waiter in batch {
            let mine = waiter.items.map { _ in
                outcomes.next() ?? .failure(ReactorError(.internal, "a group commit write returned fewer outcomes than items"))
            }
            waiter.continuation.resume(returning: mine)
        }
    }
}
