import ReactorCore
import Synchronization

/// The in-memory ``CacheBackend``: one process, nothing persisted. The default when no shared cache is configured.
///
/// Time comes from an injectable monotonic clock (`now`), so tests can move time by hand instead of sleeping.
/// Expired keys are invisible at once and removed when touched, by every ``sweepInterval``-th write, or by
/// ``purgeExpired()``. Queue operations scan the queue's messages in id order: fine for the queue sizes one process
/// holds.
public final class InMemoryCacheBackend: CacheBackend {
    /// A monotonic clock: the time elapsed since an arbitrary fixed origin.
    public typealias Now = @Sendable () -> Duration

    /// Every this many writes, expired keys are swept.
    public static let sweepInterval = 1024

    private struct Entry {
        var value: [UInt8]
        var expiresAt: Duration?

        func isLive(at now: Duration) -> Bool { expiresAt.map { $0 > now } ?? true }
    }

    private struct Message {
        var id: Int64
        var payload: [UInt8]
        var visibleAt: Duration
        var deliveries: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var queues: [String: [Message]] = [:]
        var nextMessageID: Int64 = 1
        var writes = 0
    }

    private let state = Mutex(State())
    private let now: Now

    /// A backend on the system's monotonic clock.
    public convenience init() {
        let origin = ContinuousClock.now
        self.init(now: { ContinuousClock.now - origin })
    }

    /// A backend on the clock `now` (e.g. a manual clock in tests).
    public init(now: @escaping Now) {
        self.now = now
    }

    // MARK: Key–value

    public func get(_ key: String) async throws -> [UInt8]? {
        try PlatformName.validate(key, kind: "cache key")
        let now = now()
        return state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.isLive(at: now) else {
                state.entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    public func set(_ key: String, to value: [UInt8], ttl: Duration?) async throws {
        try PlatformName.validate(key, kind: "cache key")
        if let ttl { try PlatformDuration.validatePositive(ttl, name: "ttl") }
        let now = now()
        state.withLock { state in
            state.entries[key] = Entry(value: value, expiresAt: ttl.map { now + $0 })
            Self.countWrite(&state, now: now)
        }
    }

    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        try PlatformName.validate(key, kind: "cache key")
        let now = now()
        return state.withLock { state in
            state.entries.removeValue(forKey: key)?.isLive(at: now) ?? false
        }
    }

    @discardableResult
    public func expire(_ key: String, ttl: Duration) async throws -> Bool {
        try PlatformName.validate(key, kind: "cache key")
        try PlatformDuration.validatePositive(ttl, name: "ttl")
        let now = now()
        return state.withLock { state in
            guard let entry = state.entries[key] else { return false }
            guard entry.isLive(at: now) else {
                state.entries[key] = nil
                return false
            }
            state.entries[key]?.expiresAt = now + ttl
            return true
        }
    }

    public func exists(_ key: String) async throws -> Bool {
        try await get(key) != nil
    }

    /// Removes every expired key now; returns how many were removed.
    @discardableResult
    public func purgeExpired() -> Int {
        let now = now()
        return state.withLock { Self.sweep(&$0, now: now) }
    }

    /// How many keys are stored, expired ones not yet removed included (for tests).
    public var storedKeyCount: Int { state.withLock { $0.entries.count } }

    private static func countWrite(_ state: inout State, now: Duration) {
        state.writes += 1
        if state.writes % sweepInterval == 0 { sweep(&state, now: now) }
    }

    @discardableResult
    private static func sweep(_ state: inout State, now: Duration) -> Int {
        let before = state.entries.count
        state.entries = state.entries.filter { $0.value.isLive(at: now) }
        return before - state.entries.count
    }

    // MARK: Queues

    @discardableResult
    public func enqueue(_ payload: [UInt8], on queue: String, delay: Duration?) async throws -> QueueMessageID {
        try PlatformName.validate(queue, kind: "queue name")
        if let delay { try PlatformDuration.validateNonNegative(delay, name: "delay") }
        let now = now()
        return state.withLock { state in
            let id = state.nextMessageID
            state.nextMessageID += 1
            state.queues[queue, default: []].append(Message(id: id, payload: payload, visibleAt: now + (delay ?? .zero), deliveries: 0))
            return QueueMessageID(String(id))
        }
    }

    public func dequeue(from queue: String, visibilityTimeout: Duration) async throws -> QueueMessage? {
        try PlatformName.validate(queue, kind: "queue name")
        try PlatformDuration.validatePositive(visibilityTimeout, name: "visibilityTimeout")
        let now = now()
        return state.withLock { state -> QueueMessage? in
            guard let index = state.queues[queue]?.firstIndex(where: { $0.visibleAt <= now }) else { return nil }
            state.queues[queue]![index].deliveries += 1
            state.queues[queue]![index].visibleAt = now + visibilityTimeout
            let message = state.queues[queue]![index]
            return QueueMessage(id: QueueMessageID(String(message.id)), queue: queue, payload: message.payload, deliveries: message.deliveries)
        }
    }

    @discardableResult
    public func ack(_ receipt: QueueReceipt) async throws -> Bool {
        try PlatformName.validate(receipt.queue, kind: "queue name")
        return state.withLock { state in
            guard let index = Self.index(of: receipt, in: state) else { return false }
            state.queues[receipt.queue]!.remove(at: index)
            if state.queues[receipt.queue]!.isEmpty { state.queues[receipt.queue] = nil }
            return true
        }
    }

    @discardableResult
    public func nack(_ receipt: QueueReceipt, delay: Duration?) async throws -> Bool {
        try PlatformName.validate(receipt.queue, kind: "queue name")
        if let delay { try PlatformDuration.validateNonNegative(delay, name: "delay") }
        let now = now()
        return state.withLock { state in
            guard let index = Self.index(of: receipt, in: state) else { return false }
            state.queues[receipt.queue]![index].visibleAt = now + (delay ?? .zero)
            return true
        }
    }

    public func length(of queue: String) async throws -> Int {
        try PlatformName.validate(queue, kind: "queue name")
        return state.withLock { $0.queues[queue]?.count ?? 0 }
    }

    private static func index(of receipt: QueueReceipt, in state: State) -> Int? {
        guard let id = Int64(receipt.id.rawValue), let messages = state.queues[receipt.queue] else { return nil }
        return messages.firstIndex { $0.id == id && $0.deliveries == receipt.delivery }
    }
}
