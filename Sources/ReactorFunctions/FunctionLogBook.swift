import DequeModule
import Foundation
import Synchronization

/// The last invocations of every function on this node, and their live followers (`logs --follow`).
///
/// Logs are kept in memory per node (the last ``capacity`` invocations of each function): on a cluster, a node shows
/// the invocations it ran.
public final class FunctionLogBook: Sendable {
    /// Entries kept per function.
    public let capacity: Int

    private struct State {
        var entries: [String: Deque<FunctionLogEntry>] = [:]
        var followers: [String: [UInt64: AsyncStream<FunctionLogFollower.Event>.Continuation]] = [:]
        var nextSequence: Int64 = 1
        var nextFollower: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A log book keeping `capacity` entries per function.
    public init(capacity: Int = 200) {
        self.capacity = max(1, capacity)
    }

    /// Adds an entry (its sequence is assigned here) and hands it to the function's followers.
    @discardableResult
    public func record(_ entry: FunctionLogEntry) -> FunctionLogEntry {
        let (stamped, followers) = state.withLock { s -> (FunctionLogEntry, [AsyncStream<FunctionLogFollower.Event>.Continuation]) in
            var stamped = entry
            stamped.sequence = s.nextSequence
            s.nextSequence += 1
            s.entries[entry.function, default: []].append(stamped)
            if s.entries[entry.function]!.count > capacity { s.entries[entry.function]!.removeFirst() }
            return (stamped, Array((s.followers[entry.function] ?? [:]).values))
        }
        for follower in followers { follower.yield(.entry(stamped)) }
        return stamped
    }

    /// The function's kept entries after sequence `after`, oldest first, at most `limit` (the newest ones).
    public func entries(function: String, after: Int64 = 0, limit: Int = 100) -> [FunctionLogEntry] {
        state.withLock { s in
            let all = (s.entries[function] ?? []).filter { $0.sequence > after }
            return Array(all.suffix(max(0, limit)))
        }
    }

    /// The function's entries from now on, as they are recorded (the newest 256 are kept for a slow reader). Ends
    /// when the function is deleted, ``FunctionLogFollower/stop()`` is called or the consumer stops iterating.
    public func follow(function: String) -> FunctionLogFollower {
        let (stream, continuation) = AsyncStream<FunctionLogFollower.Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = state.withLock { s in
            let id = s.nextFollower
            s.nextFollower += 1
            s.followers[function, default: [:]][id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { s in _ = s.followers[function]?.removeValue(forKey: id) }
        }
        return FunctionLogFollower(events: stream, continuation: continuation)
    }

    /// Forgets the function's entries and ends its followers.
    public func remove(function: String) {
        let followers = state.withLock { s in
            s.entries[function] = nil
            return Array((s.followers.removeValue(forKey: function) ?? [:]).values)
        }
        for follower in followers { follower.finish() }
    }

    /// How many followers the function has (for tests and metrics).
    public func followerCount(function: String) -> Int {
        state.withLock { $0.followers[function]?.count ?? 0 }
    }
}

/// A live view of one function's log entries (``FunctionLogBook/follow(function:)``).
public struct FunctionLogFollower: Sendable {
    /// What a follower receives.
    public enum Event: Sendable, Hashable {
        /// An invocation ended.
        case entry(FunctionLogEntry)
        /// Nothing happened for a while (``heartbeat()``): a stream writer sends a keep-alive.
        case heartbeat
    }

    /// The events, until the function is deleted or ``stop()`` is called.
    public let events: AsyncStream<Event>
    let continuation: AsyncStream<Event>.Continuation

    /// Adds a ``Event/heartbeat`` (called by a timer of the reader).
    public func heartbeat() { continuation.yield(.heartbeat) }

    /// Ends ``events``.
    public func stop() { continuation.finish() }
}
