import Foundation
import ReactorCore
import Synchronization

/// Counts failed logins per key (an account, a client address) in fixed windows, with a bounded memory.
///
/// A key with `limit` failures in its current window is refused until the window ends. The clock is injected, so
/// tests move time instead of sleeping.
public final class LoginRateLimiter: Sendable {
    private struct Window {
        var start: Date
        var failures: Int
    }

    /// The most keys tracked; past it the oldest windows are dropped (an attacker spraying addresses cannot grow it).
    public let capacity: Int
    private let window: TimeInterval
    private let state = Mutex([String: Window]())

    /// A limiter with windows of `window` seconds tracking at most `capacity` keys.
    public init(window: TimeInterval, capacity: Int = 100_000) {
        self.window = window
        self.capacity = capacity
    }

    /// Seconds until `key` may try again when it reached `limit` failures in its window; nil when it may try now.
    public func retryAfter(_ key: String, limit: Int, now: Date) -> Int? {
        state.withLock { windows in
            guard let entry = windows[key], now.timeIntervalSince(entry.start) < window, entry.failures >= limit else {
                return nil
            }
            return max(1, Int((window - now.timeIntervalSince(entry.start)).rounded(.up)))
        }
    }

    /// Records one failure of `key`.
    public func recordFailure(_ key: String, now: Date) {
        state.withLock { windows in
            if var entry = windows[key], now.timeIntervalSince(entry.start) < window {
                entry.failures += 1
                windows[key] = entry
            } else {
                windows[key] = Window(start: now, failures: 1)
            }
            if windows.count > capacity {
                windows = windows.filter { now.timeIntervalSince($0.value.start) < window }
                while windows.count > capacity, let oldest = windows.min(by: { $0.value.start < $1.value.start })?.key {
                    windows[oldest] = nil
                }
            }
        }
    }

    /// Forgets `key`'s failures (after a successful login of that account).
    public func reset(_ key: String) {
        state.withLock { _ = $0.removeValue(forKey: key) }
    }
}
