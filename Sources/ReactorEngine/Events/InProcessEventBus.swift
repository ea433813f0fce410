import DequeModule
import ReactorCore
import Synchronization

/// The default ``EventBus``: subscribers live in this process.
///
/// Inline subscribers are called one after another, in registration order, by the task that emits. Buffered
/// subscribers (the default) each have a bounded mailbox that ``run()`` drains in order, one delivery task per
/// subscriber, so a subscriber that is slow or stuck delays only itself: the write path never waits for it. A full
/// mailbox drops its oldest event; ``droppedEvents(_:)`` counts them.
public final class InProcessEventBus: EventBus {
    private struct Entry: Sendable {
        let id: Int
        let kinds: Set<ReactorEventKind>?
        let handler: @Sendable (ReactorEvent) async -> Void
        /// Nil for inline delivery.
        let mailbox: EventMailbox?

        func wants(_ kind: ReactorEventKind) -> Bool { kinds?.contains(kind) ?? true }
    }

    private struct State {
        var entries: [Entry] = []
        var nextID = 1
        /// Buffered entries waiting for a delivery task (``run()`` takes them).
        var unstarted: [Entry] = []
        var registration: CheckedContinuation<Void, Never>?
        var stopping = false
    }

    private let state = Mutex(State())

    public init() {}

    @discardableResult
    public func subscribe(
        _ kinds: Set<ReactorEventKind>?, delivery: EventDelivery, _ handler: @escaping @Sendable (ReactorEvent) async -> Void
    ) -> EventSubscription {
        let waiting = state.withLock { s -> (EventSubscription, CheckedContinuation<Void, Never>?) in
            let id = s.nextID
            s.nextID += 1
            var mailbox: EventMailbox?
            if case .buffered(let capacity) = delivery { mailbox = EventMailbox(capacity: capacity) }
            let entry = Entry(id: id, kinds: kinds, handler: handler, mailbox: mailbox)
            s.entries.append(entry)
            guard mailbox != nil else { return (EventSubscription(id: id), nil) }
            if s.stopping { mailbox?.close() }
            s.unstarted.append(entry)
            defer { s.registration = nil }
            return (EventSubscription(id: id), s.registration)
        }
        waiting.1?.resume()
        return waiting.0
    }

    public func unsubscribe(_ subscription: EventSubscription) {
        let removed = state.withLock { s -> [Entry] in
            let removed = s.entries.filter { $0.id == subscription.id }
            s.entries.removeAll { $0.id == subscription.id }
            s.unstarted.removeAll { $0.id == subscription.id }
            return removed
        }
        for entry in removed { entry.mailbox?.close() }
    }

    public func emit(_ event: ReactorEvent) async {
        let entries = state.withLock { $0.entries }
        guard !entries.isEmpty else { return }
        let kind = event.kind
        for entry in entries where entry.wants(kind) {
            if let mailbox = entry.mailbox { mailbox.post(event) } else { await entry.handler(event) }
        }
    }

    /// Delivers buffered events, one task per subscriber, until cancelled; then every mailbox is closed and what it
    /// still holds is delivered before this returns.
    public func run() async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                while let entries = await nextUnstarted() {
                    for entry in entries {
                        guard let mailbox = entry.mailbox else { continue }
                        group.addTask {
                            while let event = await mailbox.next() { await entry.handler(event) }
                        }
                    }
                }
            }
        } onCancel: {
            let (entries, registration) = state.withLock { s -> ([Entry], CheckedContinuation<Void, Never>?) in
                s.stopping = true
                defer { s.registration = nil }
                return (s.entries, s.registration)
            }
            for entry in entries { entry.mailbox?.close() }
            registration?.resume()
        }
    }

    /// The buffered subscribers not yet served by a delivery task; waits for one; nil once stopping.
    private func nextUnstarted() async -> [Entry]? {
        while true {
            let ready = state.withLock { s -> [Entry]? in
                if !s.unstarted.isEmpty {
                    defer { s.unstarted = [] }
                    return s.unstarted
                }
                return s.stopping ? nil : []
            }
            guard let ready else {
                // Stopping: serve the late ones too, so that their mailboxes are drained.
                return state.withLock { s in
                    defer { s.unstarted = [] }
                    return s.unstarted.isEmpty ? nil : s.unstarted
                }
            }
            if !ready.isEmpty { return ready }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    guard s.unstarted.isEmpty, !s.stopping else { return true }
                    s.registration = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    /// Whether anyone listens for `kind` (lets emitters skip building events nobody reads).
    public func hasSubscribers(for kind: ReactorEventKind) -> Bool {
        state.withLock { s in s.entries.contains { $0.wants(kind) } }
    }

    /// How many events a buffered subscriber lost because its mailbox was full.
    public func droppedEvents(_ subscription: EventSubscription) -> Int {
        state.withLock { s in s.entries.first { $0.id == subscription.id }?.mailbox?.dropped ?? 0 }
    }
}

/// A buffered subscriber's queue of events: bounded, oldest dropped when full, read by one delivery task.
final class EventMailbox: Sendable {
    private struct State {
        var events: Deque<ReactorEvent> = []
        var waiting: CheckedContinuation<ReactorEvent?, Never>?
        var closed = false
        var dropped = 0
    }
    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func post(_ event: ReactorEvent) {
        let waiter = state.withLock { s -> CheckedContinuation<ReactorEvent?, Never>? in
            guard !s.closed else { return nil }
            if let waiting = s.waiting.take() { return waiting }
            if s.events.count >= capacity {
                s.events.removeFirst()
                s.dropped += 1
            }
            s.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// The next event; nil once closed and empty.
    func next() async -> ReactorEvent? {
        await withCheckedContinuation { (continuation: CheckedContinuation<ReactorEvent?, Never>) in
            let now = state.withLock { s -> ReactorEvent?? in
                if let event = s.events.popFirst() { return .some(event) }
                if s.closed { return .some(nil) }
                s.waiting = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<ReactorEvent?, Never>? in
            s.closed = true
            return s.events.isEmpty ? s.waiting.take() : nil
        }
        waiter?.resume(returning: nil)
    }

    var dropped: Int { state.withLock { $0.dropped } }
}
