/// A typed event on the reactor's event bus. One is emitted for every job transition.
public enum ReactorEvent: Sendable {
    case jobPending(JobInfo)
    case jobRunning(JobInfo)
    /// The job's operations are durably stored.
    case jobWriteReady(JobInfo, [OperationRecord])
    /// Read models have indexed the job's operations; reads see them.
    case jobReadReady(JobInfo, [OperationRecord])
    case jobFailed(JobInfo, ReactorError)

    /// The event's kind, for filtering subscriptions.
    public var kind: ReactorEventKind {
        switch self {
        case .jobPending: .jobPending
        case .jobRunning: .jobRunning
        case .jobWriteReady: .jobWriteReady
        case .jobReadReady: .jobReadReady
        case .jobFailed: .jobFailed
        }
    }

    /// The job the event is about.
    public var job: JobInfo {
        switch self {
        case .jobPending(let j), .jobRunning(let j), .jobWriteReady(let j, _), .jobReadReady(let j, _), .jobFailed(let j, _): j
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
}

/// Internal publish/subscribe for reactor events. Subscribers are called one after another, in registration order.
public protocol EventBus: Sendable {
    /// Registers `handler` for events of `kinds` (all kinds when nil). Returns a token for ``unsubscribe(_:)``.
    @discardableResult
    func subscribe(_ kinds: Set<ReactorEventKind>?, _ handler: @escaping @Sendable (ReactorEvent) async -> Void) -> EventSubscription
    /// Removes a subscription.
    func unsubscribe(_ subscription: EventSubscription)
    /// Delivers `event` to every matching subscriber, in order, and returns when all have been called.
    func emit(_ event: ReactorEvent) async
}

/// A token identifying one event-bus subscription.
public struct EventSubscription: Sendable, Hashable {
    public let id: Int
    public init(id: Int) { self.id = id }
}
