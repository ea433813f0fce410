import ReactorCore
import Synchronization

/// A set of suspended tasks waiting for a condition that other tasks make true and announce with ``notifyAll()``.
///
/// Waiting is cancellation-aware; ``wait(key:timeout:until:)`` gives up after a deadline, kept by a ``OneShotTimer``
/// that is released as soon as the wait ends (no sleeping task per wait). The predicate is re-checked under the lock
/// on every notification, so it must be cheap, thread-safe and must not use this set.
final class Waiters: Sendable {
    private struct Waiter {
        let key: String?
        let check: @Sendable () -> Bool
        let continuation: CheckedContinuation<Bool, any Error>
        var timer: OneShotTimer?
    }

    private struct State {
        var waiters: [Int: Waiter] = [:]
        /// ids of waiters registered under a key
        var byKey: [String: Set<Int>] = [:]
        var nextID = 0

        /// Removes the waiter and stops its timer; the caller resumes it.
        mutating func remove(_ id: Int) -> Waiter? {
            guard let w = waiters.removeValue(forKey: id) else { return nil }
            if let key = w.key {
                byKey[key]?.remove(id)
                if byKey[key]?.isEmpty == true { byKey[key] = nil }
            }
            w.timer?.cancel()
            return w
        }
    }

    private let state = Mutex(State())

    /// Suspends until `predicate` is true. Throws `CancellationError` when the task is cancelled. A waiter with a
    /// `key` is woken by ``notify(_:)`` for that key (and by ``notifyAll()``).
    func wait(key: String? = nil, until predicate: @escaping @Sendable () -> Bool) async throws {
        if predicate() { return }
        _ = try await suspend(key: key, timeout: nil, until: predicate)
    }

    /// Suspends until `predicate` is true or `timeout` passes; returns whether the predicate became true.
    func wait(key: String? = nil, timeout: Duration, until predicate: @escaping @Sendable () -> Bool) async throws -> Bool {
        if predicate() { return true }
        return try await suspend(key: key, timeout: timeout, until: predicate)
    }

    private func suspend(key: String?, timeout: Duration?, until predicate: @escaping @Sendable () -> Bool) async throws -> Bool {
        let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Bool, any Error>) in
                let now: Result<Bool, any Error>? = state.withLock { s in
                    if predicate() { return .success(true) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiters[id] = Waiter(key: key, check: predicate, continuation: c)
                    if let key { s.byKey[key, default: []].insert(id) }
                    return nil
                }
                if let now { return c.resume(with: now) }
                guard let timeout else { return }
                // Armed after the waiter is registered: a timer that fires first finds it and resumes it; a waiter
                // already woken (or cancelled) meanwhile leaves the timer to be stopped here.
                let timer = OneShotTimer(after: timeout) { [self] in
                    guard let w = state.withLock({ $0.remove(id) }) else { return }
                    w.continuation.resume(returning: w.check())
                }
                let armed = state.withLock { s -> Bool in
                    guard s.waiters[id] != nil else { return false }
                    s.waiters[id]?.timer = timer
                    return true
                }
                if !armed { timer.cancel() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.remove(id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Wakes every waiter whose predicate is now true.
    func notifyAll() {
        let ready: [CheckedContinuation<Bool, any Error>] = state.withLock { s in
            guard !s.waiters.isEmpty else { return [] }
            var out: [CheckedContinuation<Bool, any Error>] = []
            for (id, w) in s.waiters where w.check() {
                out.append(w.continuation)
                _ = s.remove(id)
            }
            return out
        }
        for c in ready { c.resume(returning: true) }
    }

    /// Wakes the waiters registered under `key` whose predicate is now true.
    func notify(_ key: String) {
        let ready: [CheckedContinuation<Bool, any Error>] = state.withLock { s in
            guard let ids = s.byKey[key] else { return [] }
            var out: [CheckedContinuation<Bool, any Error>] = []
            for id in ids {
                if let w = s.waiters[id], w.check() {
                    out.append(w.continuation)
                    _ = s.remove(id)
                }
            }
            return out
        }
        for c in ready { c.resume(returning: true) }
    }

    /// Whether anyone is waiting.
    var isEmpty: Bool { state.withLock { $0.waiters.isEmpty } }
}
