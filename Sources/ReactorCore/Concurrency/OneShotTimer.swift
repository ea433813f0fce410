import Dispatch

/// Runs a handler once after a delay unless cancelled first; cancelling releases the timer at once.
///
/// The time limit of a wait (a job's `waitForJob`, a consistency token, a turn) is a timer rather than a
/// `Task.sleep` raced against the wait in a task group: a cancelled `Task.sleep` keeps its task's memory (about
/// 350 bytes) at least until its deadline on Linux (swiftlang/swift#60441), which under thousands of waits per second
/// with time limits of a minute is a steadily growing heap. A cancelled dispatch timer source is released at once.
public final class OneShotTimer: Sendable {
    // `DispatchSourceTimer` is thread-safe (dispatch sources may be cancelled from any thread) but not `Sendable`.
    nonisolated(unsafe) private let source: any DispatchSourceTimer

    /// Starts a timer that calls `handler` once, on a global queue, `delay` from now.
    public init(after delay: Duration, handler: @escaping @Sendable () -> Void) {
        let source = DispatchSource.makeTimerSource(queue: .global())
        let (seconds, attoseconds) = max(delay, .zero).components
        let total = seconds >= Int64(Int.max / 1_000_000_000) - 1
            ? Int.max : Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        // A late wake-up of up to 1 % (at most 50 ms) lets the kernel coalesce timers; these are time limits.
        let leeway = min(max(total / 100, 1_000_000), 50_000_000)
        source.schedule(deadline: .now() + .nanoseconds(total), repeating: .never, leeway: .nanoseconds(leeway))
        source.setEventHandler(handler: handler)
        self.source = source
        source.activate()
    }

    /// Stops the timer if it has not fired (harmless after it fired or when called twice).
    public func cancel() {
        source.cancel()
    }

    deinit {
        source.cancel()
    }
}
