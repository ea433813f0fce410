import Dispatch
import Foundation
import ReactorCore
import Synchronization

/// Runs model code (reducers, the state hash) so that a reducer that never returns cannot starve the reactor.
///
/// A reducer is synchronous code written by a model's author: one that loops forever or blocks holds the thread it
/// runs on, and Swift's cooperative pool has one thread per core (two of them stuck stop a two-core machine: every
/// request, timer and job). So model code runs in one of two places:
///
/// - **Inline**, on the calling cooperative thread, while one of the process-wide inline permits is free
///   (``InlinePermits``: one less than the cores). This is the fast path (no thread hop, no context switch) and the
///   common one, since reducers return in microseconds. However many reducers get stuck inline, at least one
///   cooperative thread stays free, and every later reducer goes to a model thread until they return.
/// - **On a model thread** otherwise: the job's own serial dispatch queue (``JobControl/modelQueue``). Serial queues
///   are "overcommit" queues, which get a new thread when the existing ones are busy. The job that called it is
///   released at its timeout: ``JobControl/timeOut()`` resumes the waiting job with `JOB_TIMEOUT`, and the reducer's
///   result is dropped whenever it returns.
///
/// A job whose reducer is stuck inline is timed out all the same (the watchdog reports `JOB_TIMEOUT`, frees its
/// document and gives back its executor slot); its task ends when the reducer returns, and a graceful shutdown waits
/// for it. ``ExecutorConfig/reducersInline`` = `false` sends every call to a model thread.
struct ModelThreads: Sendable {
    /// Whether calls may run inline when a permit is free.
    var inline = true

    /// Runs `work` inline or on a model thread and returns its result; throws `JOB_TIMEOUT` as soon as the job being
    /// prepared (``JobControl/current``) times out (on a model thread) or before it starts (inline).
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let control = JobControl.current
        if inline, InlinePermits.shared.acquire() {
            defer { InlinePermits.shared.release() }
            if control?.isTimedOut == true { throw JobControl.timeoutError }
            return try work()
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = ResumeOnce(continuation)
            if let control {
                guard control.attach({ once.resume(with: .failure(JobControl.timeoutError)) }) else {
                    once.resume(with: .failure(JobControl.timeoutError))
                    return
                }
            }
            (control?.modelQueue ?? DispatchQueue(label: "reactor.model", qos: .userInitiated)).async {
                let result = Result { try work() }
                control?.detach()
                once.resume(with: result)
            }
        }
    }
}

/// A continuation resumed by whichever of two parties comes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}

/// How many cooperative threads may be running model code at once: one less than the cores, process-wide (every
/// reactor of the process shares Swift's one cooperative pool).
final class InlinePermits: Sendable {
    static let shared = InlinePermits(count: ProcessInfo.processInfo.activeProcessorCount - 1)

    private let free: Atomic<Int>

    init(count: Int) {
        free = Atomic(max(0, count))
    }

    /// Takes a permit when one is free.
    func acquire() -> Bool {
        var current = free.load(ordering: .relaxed)
        while current > 0 {
            let (exchanged, original) = free.compareExchange(expected: current, desired: current - 1, ordering: .acquiring)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives a permit back.
    func release() {
        free.add(1, ordering: .releasing)
    }

    /// Permits free now (for tests).
    var available: Int { free.load(ordering: .relaxed) }
}
