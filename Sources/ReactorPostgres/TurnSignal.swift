import ReactorCore
import Synchronization

/// A broadcast that wakes every waiter: jobs waiting for their turn on a document (``PostgresJobLedger``) wait for
/// the next signal after the check they made, or for a timeout (the safety-net poll).
final class TurnSignal: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<Void, Never>
        var timer: OneShotTimer?
    }

    private struct State {
        var generation: UInt64 = 0
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// How many signals were given so far: read it before a check, wait beyond it after.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    func signal() {
        let waiters = state.withLock { s -> [Waiter] in
            s.generation &+= 1
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Returns once a signal came after `seen` (at once if one did already), after `timeout`, or on cancellation.
    func wait(beyond seen: UInt64, timeout: Duration) async {
        let id = state.withLock { s -> Int in
            defer { s.nextID += 1 }
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.generation != seen || Task.isCancelled { return true }
                    s.waiters[id] = Waiter(continuation: continuation)
                    return false
                }
                if now { return continuation.resume() }
                let timer = OneShotTimer(after: timeout) { [self] in end(id) }
                let armed = state.withLock { s -> Bool in
                    guard s.waiters[id] != nil else { return false }
                    s.waiters[id]?.timer = timer
                    return true
                }
                if !armed { timer.cancel() }
            }
        } onCancel: {
            end(id)
        }
    }

    /// Ends one wait (its time limit passed, or its task was cancelled).
    private func end(_ id: Int) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume()
    }
}
