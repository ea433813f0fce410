import Synchronization

/// Bounds the concurrent invocations of each function: at most `maxConcurrent` run at once per function name; one
/// more waits up to ``maxWait`` for a slot (first come, first served), then fails with
/// ``ReactorError/Code/functionBusy`` (HTTP 429 with `Retry-After`). Functions never wait for each other.
public final class FunctionConcurrency: Sendable {
    /// How long an invocation waits for a free slot before it is refused.
    public let maxWait: Duration

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
        var timer: OneShotTimer?
    }

    private struct Entry {
        var active = 0
        var waiters: [Waiter] = []
    }

    private struct State {
        var functions: [String: Entry] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A limiter whose waits last at most `maxWait` (zero: refuse at once when the function is full).
    public init(maxWait: Duration = .milliseconds(500)) {
        self.maxWait = maxWait
    }

    /// Runs `body` in one of `function`'s `maxConcurrent` slots (at least 1), waiting for one when all are taken.
    /// Throws ``ReactorError/Code/functionBusy`` when none frees within ``maxWait``, and `CancellationError` when the
    /// task is cancelled while it waits.
    @discardableResult
    public func withPermit<T>(_ function: String, maxConcurrent: Int, _ body: () async throws -> T) async throws -> T {
        try await acquire(function, maxConcurrent: max(1, maxConcurrent))
        defer { release(function) }
        return try await body()
    }

    /// The invocations of `function` running now (for metrics and tests).
    public func active(_ function: String) -> Int {
        state.withLock { $0.functions[function]?.active ?? 0 }
    }

    /// The invocations of `function` waiting for a slot now (for metrics and tests).
    public func waiting(_ function: String) -> Int {
        state.withLock { $0.functions[function]?.waiters.count ?? 0 }
    }

    private func acquire(_ function: String, maxConcurrent: Int) async throws {
        let immediate: Bool = state.withLock { state in
            var entry = state.functions[function, default: Entry()]
            guard entry.active < maxConcurrent, entry.waiters.isEmpty else { return false }
            entry.active += 1
            state.functions[function] = entry
            return true
        }
        if immediate { return }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Registration { case acquired, waiting, refused(any Error) }
                let registration: Registration = state.withLock { state in
                    var entry = state.functions[function, default: Entry()]
                    if entry.active < maxConcurrent && entry.waiters.isEmpty {
                        // A slot freed since the first look.
                        entry.active += 1
                        state.functions[function] = entry
                        return .acquired
                    }
                    if Task.isCancelled { return .refused(CancellationError()) }
                    if maxWait <= .zero { return .refused(busy(function, maxConcurrent: maxConcurrent)) }
                    let timer = OneShotTimer(after: maxWait) { [weak self] in
                        self?.expire(function, id: id, error: self?.busy(function, maxConcurrent: maxConcurrent))
                    }
                    entry.waiters.append(Waiter(id: id, continuation: continuation, timer: timer))
                    state.functions[function] = entry
                    return .waiting
                }
                switch registration {
                case .acquired: continuation.resume()
                case .refused(let error): continuation.resume(throwing: error)
                case .waiting: break
                }
            }
        } onCancel: {
            expire(function, id: id, error: CancellationError())
        }
    }

    private func expire(_ function: String, id: UInt64, error: (any Error)?) {
        let waiter: Waiter? = state.withLock { state in
            guard var entry = state.functions[function], let index = entry.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = entry.waiters.remove(at: index)
            state.functions[function] = entry
            return waiter
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(throwing: error ?? CancellationError())
    }

    private func release(_ function: String) {
        let next: Waiter? = state.withLock { state in
            guard var entry = state.functions[function] else { return nil }
            if entry.waiters.isEmpty {
                entry.active -= 1
                state.functions[function] = entry.active > 0 ? entry : nil
                return nil
            }
            // The slot passes to the first waiter: `active` stays.
            let waiter = entry.waiters.removeFirst()
            state.functions[function] = entry
            return waiter
        }
        guard let next else { return }
        next.timer?.cancel()
        next.continuation.resume()
    }

    private func busy(_ function: String, maxConcurrent: Int) -> ReactorError {
        ReactorError(
            .functionBusy, "function '\(function)' already runs \(maxConcurrent) invocation(s); retry later",
            details: ["function": function, "maxConcurrent": String(maxConcurrent), "retryAfterSeconds": "1"],
            isTransient: true)
    }
}
