import Synchronization

/// A signal one task waits for with a time limit: ``signal()`` wakes the waiter, or the next one when nobody waits
/// (signals given meanwhile count as one).
final class Wakeup: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
        /// The wait was cancelled before its continuation was stored.
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Wakes the waiter (or the next wait).
    func signal() {
        resumeWaiter(orSet: \.signalled)
    }

    /// Resumes the stored waiter, or sets `flag` for the wait that has not stored itself yet.
    private func resumeWaiter(orSet flag: WritableKeyPath<State, Bool> & Sendable) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let waiter = s.waiter else {
                s[keyPath: flag] = true
                return nil
            }
            s.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal (at once if one came since the last wait) or after `timeout`, whichever comes first.
    /// Returns whether it was signalled. One waiter at a time.
    @discardableResult
    func wait(timeout: Duration) async -> Bool {
        if state.withLock({ s in defer { s.signalled = false }; return s.signalled }) { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.nextSignal(); return !Task.isCancelled }
            group.addTask { try? await Task.sleep(for: timeout); return false }
            let signalled = await group.next() ?? false
            group.cancelAll()
            return signalled
        }
    }

    private func nextSignal() async {
        state.withLock { $0.cancelled = false }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { s -> Bool in
                    if s.signalled || s.cancelled {
                        s.signalled = false
                        s.cancelled = false
                        return true
                    }
                    s.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            resumeWaiter(orSet: \.cancelled)
        }
    }
}
