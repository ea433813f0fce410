import Synchronization

/// Holds tasks at a point a test chooses (a store's commit, a ledger's record) until the test releases them: while
/// armed, ``pass()`` suspends its caller; ``release()`` disarms and resumes every caller held.
public final class Hold: Sendable {
    private struct State {
        var armed = false
        var held: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    public init() {}

    /// From now on, callers of ``pass()`` are held.
    public func arm() { state.withLock { $0.armed = true } }

    /// Disarms and lets every held caller go on.
    public func release() {
        let held = state.withLock { s in
            s.armed = false
            defer { s.held = [] }
            return s.held
        }
        for continuation in held { continuation.resume() }
    }

    /// How many callers are held now.
    public var heldCount: Int { state.withLock { $0.held.count } }

    /// Returns at once when not armed; otherwise suspends until ``release()``.
    public func pass() async {
        await withCheckedContinuation { continuation in
            let hold = state.withLock { s -> Bool in
                guard s.armed else { return false }
                s.held.append(continuation)
                return true
            }
            if !hold { continuation.resume() }
        }
    }
}
