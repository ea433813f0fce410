import Synchronization

/// Holds tasks at a point a test chooses (a store's commit, a ledger's record) until the test releases them: while
/// armed, ``pass()`` suspends its caller; ``release()`` disarms and resumes every caller held. A held caller whose
/// task is cancelled goes on at once: a failed test's task group waits for its children, so a hold that ignored
/// cancellation would keep the test (and the test run) from ever ending.
public final class Hold: Sendable {
    private struct State {
        var armed = false
        var nextID = 0
        var held: [Int: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// From now on, callers of ``pass()`` are held.
    public func arm() { state.withLock { $0.armed = true } }

    /// Disarms and lets every held caller go on.
    public func release() {
        let held = state.withLock { s in
            s.armed = false
            defer { s.held = [:] }
            return s.held.sorted { $0.key < $1.key }.map(\.value)  // in the order they were held
        }
        for continuation in held { continuation.resume() }
    }

    /// How many callers are held now.
    public var heldCount: Int { state.withLock { $0.held.count } }

    /// Returns at once when not armed; otherwise suspends until ``release()`` or until the task is cancelled.
    public func pass() async {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let hold = state.withLock { s -> Bool in
                    guard s.armed, !Task.isCancelled else { return false }
                    s.held[id] = continuation
                    return true
                }
                if !hold { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.held.removeValue(forKey: id) }?.resume()
        }
    }
}
