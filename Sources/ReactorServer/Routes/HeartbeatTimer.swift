import Dispatch
import Synchronization

/// A timer on a dispatch queue that calls `fire` every `interval` (or once) until stopped.
///
/// Subscription streams use it to send heartbeats and to end at the token's expiry without an unstructured task per
/// connection.
final class HeartbeatTimer: Sendable {
    private let source: Mutex<(any DispatchSourceTimer)?>

    /// Calls `fire` every `interval`, or once after `interval` when `repeating` is false.
    init(interval: Duration, repeating: Bool = true, fire: @escaping @Sendable () -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let nanos = Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000)
        if repeating {
            timer.schedule(deadline: .now() + .nanoseconds(nanos), repeating: .nanoseconds(max(nanos, 1_000_000)))
        } else {
            timer.schedule(deadline: .now() + .nanoseconds(max(nanos, 0)))
        }
        timer.setEventHandler(handler: fire)
        timer.resume()
        self.source = Mutex(timer)
    }

    /// Stops the timer. Idempotent.
    func stop() {
        source.withLock { timer in
            timer?.cancel()
            timer = nil
        }
    }

    deinit { stop() }
}
