import ReactorCore
import Synchronization

/// Helpers for tests of the platform capabilities (used by the conformance suites, public for adapter tests).
public enum PlatformTestSupport {
    /// Reads `count` messages from `subscription`, failing when they have not all arrived within `timeout`.
    ///
    /// On a timeout the subscription's iteration is cancelled, which ends the subscription's stream: use it for
    /// messages that must arrive.
    public static func collect(
        _ count: Int, from subscription: PubSubSubscription, timeout: Duration = .seconds(10),
        file: StaticString = #fileID, line: UInt = #line
    ) async throws -> [PubSubMessage] {
        let received = Locked<[PubSubMessage]>([])
        let outcome = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                guard count > 0 else { return true }
                for try await message in subscription {
                    let done = received.withLock { $0.append(message); return $0.count >= count }
                    if done { return true }
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        let messages = received.withLock { $0 }
        try check(
            outcome, "expected \(count) messages on '\(subscription.channel)' within \(timeout), got \(messages.count): "
                + messages.prefix(5).map { "'\($0.string.prefix(40))'" }.joined(separator: ", "), file: file, line: line)
        return messages
    }

    /// Polls `condition` until it holds, failing after `timeout` (see the top-level ``eventually(_:timeout:interval:file:line:_:)``).
    public static func eventually(
        _ what: @autoclosure () -> String, timeout: Duration = .seconds(10), interval: Duration = .milliseconds(25),
        file: StaticString = #fileID, line: UInt = #line, _ condition: () async throws -> Bool
    ) async throws {
        try await ReactorTesting.eventually(what(), timeout: timeout, interval: interval, file: file, line: line, condition)
    }

    /// Checks that `body` throws a ``ReactorError`` with `code`.
    public static func expectError(
        _ code: ReactorError.Code, _ context: String, file: StaticString = #fileID, line: UInt = #line,
        _ body: () async throws -> Void
    ) async throws {
        try await checkThrows(code, context, file: file, line: line, body)
    }
}

/// A clock that only moves when told to, for the injectable clocks of in-memory adapters.
public final class ManualClock: Sendable {
    private let elapsed: Mutex<Duration>

    /// A clock at `start`.
    public init(start: Duration = .seconds(1000)) {
        elapsed = Mutex(start)
    }

    /// The current time.
    public var now: Duration { elapsed.withLock { $0 } }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        elapsed.withLock { $0 += duration }
    }

    /// A `now` closure for the adapter under test.
    public var nowFunction: @Sendable () -> Duration { { self.now } }
}

/// A value behind a lock that closures of child tasks can share.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}
