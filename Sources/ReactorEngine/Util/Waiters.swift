import Synchronization

/// A set of suspended tasks waiting for a condition that other tasks make true and announce with ``notifyAll()``.
///
/// Waiting is cancellation-aware; ``wait(timeout:until:)`` gives up after a deadline. The predicate is re-checked
/// under no lock on every notification, so it must be cheap and thread-safe.
final class Waiters: Sendable {
    private struct Waiter {
        let key: String?
        let check: @Sendable () -> Bool
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiters: [Int: Waiter] = [:]
        /// ids of waiters registered under a key
        var byKey: [String: Set<Int>] = [:]
        var nextID = 0

        mutating func remove(_ id: Int) -> Waiter? {
            guard let w = waiters.removeValue(forKey: id) else { return nil }
            if let key = w.key {
                byKey[key]?.remove(id)
                if byKey[key]?.isEmpty == true { byKey[key] = nil }
            }
            return w
        }
    }

    private let state = Mutex(State())

    /// Suspends until `predicate` is true. Throws `CancellationError` when the task is cancelled. A waiter with a
    /// `key` is woken by ``notify(_:)`` for that key (and by ``notifyAll()``).
    func wait(key: String? = nil, until predicate: @escaping @Sendable () -> Bool) async throws {
        if predicate() { return }
        let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { s in
                    if predicate() { return true }
                    if Task.isCancelled { return true }
                    s.waiters[id] = Waiter(key: key, check: predicate, continuation: c)
                    if let key { s.byKey[key, default: []].insert(id) }
                    return false
                }
                if resumeNow {
                    if Task.isCancelled { c.resume(throwing: CancellationError()) } else { c.resume() }
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.remove(id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Suspends until `predicate` is true or `timeout` passes; returns whether the predicate became true.
    func wait(key: String? = nil, timeout: Duration, until predicate: @escaping @Sendable () -> Bool) async throws -> Bool {
        if predicate() { return true }
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.wait(key: key, until: predicate)
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            while let result = try? await group.next() {
                return result
            }
            try Task.checkCancellation()
            return predicate()
        }
    }

    /// Wakes every waiter whose predicate is now true.
    func notifyAll() {
        let ready: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            guard !s.waiters.isEmpty else { return [] }
            var out: [CheckedContinuation<Void, any Error>] = []
            for (id, w) in s.waiters where w.check() {
                out.append(w.continuation)
                _ = s.remove(id)
            }
            return out
        }
        for c in ready { c.resume() }
    }

    /// Wakes the waiters registered under `key` whose predicate is now true.
    func notify(_ key: String) {
        let ready: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            guard let ids = s.byKey[key] else { return [] }
            var out: [CheckedContinuation<Void, any Error>] = []
            for id in ids {
                if let w = s.waiters[id], w.check() {
                    out.append(w.continuation)
                    _ = s.remove(id)
                }
            }
            return out
        }
        for c in ready { c.resume() }
    }

    /// Whether anyone is waiting.
    var isEmpty: Bool { state.withLock { $0.waiters.isEmpty } }
}
