import Dispatch
import ReactorCore
import Synchronization

/// Runs model code (reducers, the state hash) on threads of its own, off Swift's cooperative pool.
///
/// A reducer is synchronous code written by a model's author: one that loops forever or blocks would hold a thread of
/// the cooperative pool (two of them starve a two-core machine: every request, timer and job stops). Here it holds a
/// thread of its job's own serial dispatch queue instead (``JobControl/modelQueue``): serial queues are "overcommit"
/// queues, which get a new thread when the existing ones are busy, where a concurrent queue would stop at one thread
/// per core. The job that called it is released at its timeout: ``JobControl/timeOut()`` resumes the waiting job with
/// `JOB_TIMEOUT`, and the reducer's result is dropped whenever it returns.
struct ModelThreads: Sendable {
    /// Runs `work` on a model thread and returns its result; throws `JOB_TIMEOUT` as soon as the job being prepared
    /// (``JobControl/current``) times out.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let control = JobControl.current
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
