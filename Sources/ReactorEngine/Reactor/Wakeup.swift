import ReactorCore
import Synchronization

/// A signal one task waits for with a time limit: ``signal()`` wakes the waiter, or the next one when nobody waits
/// (signals given meanwhile count as one).
final class Wakeup: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Bool, Never>?
        /// Which wait the stored waiter is (a timer only ends its own wait).
        var generation: UInt64 = 0
        var timer: OneShotTimer?
    }

    private let state = Mutex(State())

    /// Wakes the waiter (or the next wait).
    func signal() {
        resume(returning: true, generation: nil)
    }

    /// Resumes the stored waiter of `generation` (any when nil) with `value`; with no waiter, a signal is kept for
    /// the next wait.
    private func resume(returning value: Bool, generation: UInt64?) {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            guard let waiter = s.waiter, generation == nil || generation == s.generation else {
                if generation == nil { s.signalled = true }
                return nil
            }
            s.waiter = nil
            s.timer?.cancel()
            s.timer = nil
            return waiter
        }
        waiter?.resume(returning: value)
    }

    /// Returns at the next signal (at once if one came since the last wait) or after `timeout`, whichever comes first;
    /// returns false at once when the task is cancelled. Returns whether it was signalled. One waiter at a time.
    @discardableResult
    func wait(timeout: Duration) async -> Bool {
        if state.withLock({ s in defer { s.signalled = false }; return s.signalled }) { return true }
        let generation = state.withLock { s -> UInt64 in s.generation &+= 1; return s.generation }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.signalled {
                        s.signalled = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    s.waiter = continuation
                    return nil
                }
                if let now { return continuation.resume(returning: now) }
                let timer = OneShotTimer(after: timeout) { [self] in resume(returning: false, generation: generation) }
                let armed = state.withLock { s -> Bool in
                    guard s.waiter != nil, s.generation == generation else { return false }
                    s.timer = timer
                    return true
                }
                if !armed { timer.cancel() }
            }
        } onCancel: {
            resume(returning: false, generation: generation)
        }
    }
}
