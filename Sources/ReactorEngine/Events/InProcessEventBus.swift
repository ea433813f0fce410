import ReactorCore
import Synchronization

/// The default ``EventBus``: subscribers live in this process and are called one after another, in registration
/// order, by the task that emits.
public final class InProcessEventBus: EventBus {
    private struct Entry: Sendable {
        let id: Int
        let kinds: Set<ReactorEventKind>?
        let handler: @Sendable (ReactorEvent) async -> Void
    }

    private struct State {
        var entries: [Entry] = []
        var nextID = 1
    }

    private let state = Mutex(State())

    public init() {}

    @discardableResult
    public func subscribe(_ kinds: Set<ReactorEventKind>?, _ handler: @escaping @Sendable (ReactorEvent) async -> Void) -> EventSubscription {
        state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.entries.append(Entry(id: id, kinds: kinds, handler: handler))
            return EventSubscription(id: id)
        }
    }

    public func unsubscribe(_ subscription: EventSubscription) {
        state.withLock { s in s.entries.removeAll { $0.id == subscription.id } }
    }

    public func emit(_ event: ReactorEvent) async {
        let entries = state.withLock { $0.entries }
        guard !entries.isEmpty else { return }
        let kind = event.kind
        for entry in entries where entry.kinds?.contains(kind) ?? true {
            await entry.handler(event)
        }
    }

    /// Whether anyone listens for `kind` (lets emitters skip building events nobody reads).
    public func hasSubscribers(for kind: ReactorEventKind) -> Bool {
        state.withLock { s in s.entries.contains { $0.kinds?.contains(kind) ?? true } }
    }
}
