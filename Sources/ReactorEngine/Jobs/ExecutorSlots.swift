import Synchronization

/// The executor's concurrency limit: `count` slots, taken by a job when it starts and given back when it ends or
/// times out (see ``JobControl``).
final class ExecutorSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: CheckedContinuation<Bool, Never>?
        var cancelled = false
    }
    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(free: max(1, count)))
    }

    /// Takes a slot, waiting for one to be given back when none is free. Only the executor loop calls it, so at most
    /// one caller waits. Returns false when the waiting task is cancelled.
    func acquire() async -> Bool {
        if state.withLock({ s in
            guard s.free > 0 else { return false }
            s.free -= 1
            return true
        }) { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.cancelled { return false }
                    if s.free > 0 {
                        s.free -= 1
                        return true
                    }
                    s.waiting = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { s in
                s.cancelled = true
                return s.waiting.take()
            }?.resume(returning: false)
        }
    }

    /// Gives a slot back (to the waiting executor loop, if it waits).
    func release() {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            if let waiting = s.waiting.take() { return waiting }
            s.free += 1
            return nil
        }
        waiter?.resume(returning: true)
    }
}
