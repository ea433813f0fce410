/// A typed event on the reactor's event bus. One is emitted for every job transition and every sync step.
public enum ReactorEvent: Sendable {
    case jobPending(JobInfo)
    case jobRunning(JobInfo)
    /// The job's operations are durably stored.
    case jobWriteReady(JobInfo, [OperationRecord])
    /// Read models have indexed the job's operations; reads see them.
    case jobReadReady(JobInfo, [OperationRecord])
    case jobFailed(JobInfo, ReactorError)
    /// A sync step (``SyncEvent``).
    case sync(SyncEvent)

    /// The event's kind, for filtering subscriptions.
    public var kind: ReactorEventKind {
        switch self {
        case .jobPending: .jobPending
        case .jobRunning: .jobRunning
        case .jobWriteReady: .jobWriteReady
        case .jobReadReady: .jobReadReady
        case .jobFailed: .jobFailed
        case .sync: .sync
        }
    }

    /// The job the event is about (nil for sync events).
    public var job: JobInfo? {
        switch self {
        case .jobPending(let j), .jobRunning(let j), .jobWriteReady(let j, _), .jobReadReady(let j, _), .jobFailed(let j, _): j
        case .sync: nil
        }
    }
}

/// The kinds of ``ReactorEvent``.
public enum ReactorEventKind: String, Sendable, Hashable, CaseIterable {
    case jobPending = "JOB_PENDING"
    case jobRunning = "JOB_RUNNING"
    case jobWriteReady = "JOB_WRITE_READY"
    case jobReadReady = "JOB_READ_READY"
    case jobFailed = "JOB_FAILED"
    case sync = "SYNC"
}

/// How a subscriber receives events.
public enum EventDelivery: Sendable, Hashable {
    /// Called by the task that emits, before the job goes on: the subscriber sees each event before the job's next
    /// step, and a slow subscriber slows every job. For cheap handlers that need that guarantee (tests, assertions).
    case inline
    /// Queued for the subscriber (at most `capacity` events) and delivered in order by the bus's own delivery task
    /// (``EventBus/run()``), so a slow subscriber never holds a job back. When the queue is full the oldest event is
    /// dropped (and counted).
    case buffered(capacity: Int)

    /// The default: buffered, 1,024 events.
    public static let `default` = EventDelivery.buffered(capacity: 1_024)
}

/// Internal publish/subscribe for reactor events. Each subscriber gets the events of its kinds in the order they
/// were emitted.
public protocol EventBus: Sendable {
    /// Registers `handler` for events of `kinds` (all kinds when nil), delivered as `delivery` says. Returns a token
    /// for ``unsubscribe(_:)``.
    @discardableResult
    func subscribe(
        _ kinds: Set<ReactorEventKind>?, delivery: EventDelivery, _ handler: @escaping @Sendable (ReactorEvent) async -> Void
    ) -> EventSubscription
    /// Removes a subscription.
    func unsubscribe(_ subscription: EventSubscription)
    /// Hands `event` to every matching subscriber: inline ones are called before this returns, buffered ones get it
    /// queued.
    func emit(_ event: ReactorEvent) async
    /// Delivers buffered events until the task is cancelled, then delivers what is still queued and returns. The
    /// reactor runs it for as long as it runs.
    func run() async
}

extension EventBus {
    /// Registers `handler` with the ``EventDelivery/default`` delivery (buffered).
    @discardableResult
    public func subscribe(_ kinds: Set<ReactorEventKind>?, _ handler: @escaping @Sendable (ReactorEvent) async -> Void) -> EventSubscription {
        subscribe(kinds, delivery: .default, handler)
    }
}

/// A token identifying one event-bus subscription.
public struct EventSubscription: Sendable, Hashable {
    public let id: Int
    public init(id: Int) { self.id = id }
}
