import Dispatch
import ReactorCore
import Synchronization

/// The race between a job finishing and its timeout: exactly one of them wins. The job's executor slot is given back
/// (``onEnd``) when the executor is done with the job, or at once when it times out, even when a reducer that timed
/// out is still running on its model thread or a store call has not returned.
final class JobControl: Sendable {
    enum Phase { case running, committing, finished, timedOut }
    private struct State {
        var phase = Phase.running
        /// Resumes a job waiting on its model thread (see ``ModelThreads``).
        var cancelReduction: (@Sendable () -> Void)?
        var ended = false
    }
    private let state = Mutex(State())
    let startedAt = ContinuousClock.now
    /// Where the job's model code runs when it does not run inline (see ``ModelThreads``): a reducer stuck on it blocks
    /// only this job. Made on first use (most jobs never need it).
    var modelQueue: DispatchQueue {
        queue.withLock { queue in
            if let queue { return queue }
            let made = DispatchQueue(label: "reactor.job", qos: .userInitiated)
            queue = made
            return made
        }
    }
    private let queue = Mutex<DispatchQueue?>(nil)
    private let onEnd: @Sendable () -> Void

    /// The control of the job the current task prepares (set by the executor around ``JobRunner/prepare(_:dedupe:)``).
    @TaskLocal static var current: JobControl?

    /// The error of a job that ran past its timeout.
    static let timeoutError = ReactorError(.jobTimeout, "the job ran longer than its timeout")

    /// - Parameter onEnd: called once, when the job finishes or times out (gives its executor slot back).
    init(onEnd: @escaping @Sendable () -> Void = {}) {
        self.onEnd = onEnd
    }

    /// Enters the commit; false when the job already timed out (it must not write).
    func beginCommit() -> Bool {
        state.withLock { s in
            guard s.phase == .running else { return false }
            s.phase = .committing
            return true
        }
    }

    /// Back to running after a failed commit that will be retried.
    func abortCommit() {
        state.withLock { s in if s.phase == .committing { s.phase = .running } }
    }

    /// Marks the job finished; false when the timeout already reported it. (Its slot is given back when the
    /// executor's task for it returns, after the job's events.)
    func finish() -> Bool {
        state.withLock { s -> Bool in
            guard s.phase == .running || s.phase == .committing else { return false }
            s.phase = .finished
            return true
        }
    }

    /// Marks the job timed out; false when it is committing or finished. A reduction the job waits for is abandoned.
    func timeOut() -> Bool {
        let cancel = state.withLock { s -> (@Sendable () -> Void)?? in
            guard s.phase == .running else { return nil }
            s.phase = .timedOut
            defer { s.cancelReduction = nil }
            return .some(s.cancelReduction)
        }
        guard let cancel else { return false }
        cancel?()
        end()
        return true
    }

    var isTimedOut: Bool { state.withLock { $0.phase == .timedOut } }

    /// Throws `JOB_TIMEOUT` once the job has timed out. Long loops of a job (its actions, a history replay) call it
    /// between steps, so that a job past its timeout stops using CPU and memory instead of running on unobserved.
    func stopIfTimedOut() throws {
        if isTimedOut { throw Self.timeoutError }
    }

    /// Registers how to abandon the reduction the job is about to wait for; false when the job already timed out.
    func attach(_ cancel: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { s in
            guard s.phase != .timedOut else { return false }
            s.cancelReduction = cancel
            return true
        }
    }

    /// The reduction returned.
    func detach() {
        state.withLock { $0.cancelReduction = nil }
    }

    /// Gives the slot back (once), also when the job ends another way (a failure before its control finished).
    func end() {
        let first = state.withLock { s -> Bool in
            defer { s.ended = true }
            return !s.ended
        }
        if first { onEnd() }
    }
}
