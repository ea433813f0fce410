import Synchronization

/// The race between a job finishing and its timeout: exactly one of them wins.
final class JobControl: Sendable {
    enum Phase { case running, committing, finished, timedOut }
    private let phase = Mutex(Phase.running)
    let startedAt = ContinuousClock.now

    /// Enters the commit; false when the job already timed out (it must not write).
    func beginCommit() -> Bool {
        phase.withLock { p in
            guard p == .running else { return false }
            p = .committing
            return true
        }
    }

    /// Back to running after a failed commit that will be retried.
    func abortCommit() {
        phase.withLock { p in if p == .committing { p = .running } }
    }

    /// Marks the job finished; false when the timeout already reported it.
    func finish() -> Bool {
        phase.withLock { p in
            guard p == .running || p == .committing else { return false }
            p = .finished
            return true
        }
    }

    /// Marks the job timed out; false when it is committing or finished.
    func timeOut() -> Bool {
        phase.withLock { p in
            guard p == .running else { return false }
            p = .timedOut
            return true
        }
    }

    var isTimedOut: Bool { phase.withLock { $0 == .timedOut } }
}
