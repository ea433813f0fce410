import Dispatch
import Synchronization

/// A repeating timer on a dispatch queue that calls `fire` every `interval` until stopped.
///
/// Subscription streams use it to send heartbeats without an unstructured task per connection.
final class HeartbeatTimer: Sendable {
    private let source: Mutex<(any DispatchSourceTimer)?>

    init(interval: Duration, fire: @escaping @Sendable () -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let nanos = Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(nanos), repeating: .nanoseconds(max(nanos, 1_000_000)))
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
