import ReactorCore
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct OneShotTimerTests {
    @Test func firesOnceAfterItsDelay() async {
        let fired = Atomic<Int>(0)
        let start = ContinuousClock.now
        let elapsed: Duration = await withCheckedContinuation { (done: CheckedContinuation<Duration, Never>) in
            let timer = OneShotTimer(after: .milliseconds(20)) {
                if fired.add(1, ordering: .relaxed).newValue == 1 { done.resume(returning: start.duration(to: .now)) }
            }
            // A timer lives as long as its owner: kept until the end of the run.
            Self.keep(timer)
        }
        #expect(elapsed >= .milliseconds(20))
        #expect(fired.load(ordering: .relaxed) == 1)
    }

    @Test func aCancelledTimerNeverFires() async throws {
        let fired = Atomic<Int>(0)
        let timers = (0..<100).map { _ in OneShotTimer(after: .milliseconds(5)) { fired.add(1, ordering: .relaxed) } }
        for timer in timers { timer.cancel() }
        // A timer that fires ends the wait for it: this one proves the cancelled ones' deadline has passed.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Self.keep(OneShotTimer(after: .milliseconds(30)) { done.resume() })
        }
        #expect(fired.load(ordering: .relaxed) == 0)
        withExtendedLifetime(timers) {}
    }

    @Test func aTimerDroppedByItsOwnerIsStopped() async {
        let fired = Atomic<Int>(0)
        do { _ = OneShotTimer(after: .milliseconds(5)) { fired.add(1, ordering: .relaxed) } }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Self.keep(OneShotTimer(after: .milliseconds(30)) { done.resume() })
        }
        #expect(fired.load(ordering: .relaxed) == 0)
    }

    /// Keeps timers alive for the rest of the test run.
    private static let kept = Mutex<[OneShotTimer]>([])
    private static func keep(_ timer: OneShotTimer) { kept.withLock { $0.append(timer) } }
}
