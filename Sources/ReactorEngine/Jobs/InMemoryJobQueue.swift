import DequeModule
import ReactorCore
import Synchronization

/// The default ``JobQueue``, in memory. One consumer (the executor loop) at a time.
public final class InMemoryJobQueue: JobQueue {
    private struct Entry {
        var job: Job
        var remainingDependencies: Set<String>
        var failedDependency: String?
    }

    private struct State {
        var perDocument: [String: Deque<Entry>] = [:]
        var busyDocuments: Set<String> = []
        var ready: Deque<String> = []
        var readySet: Set<String> = []
        /// job id -> documents whose queue holds a job depending on it
        var dependents: [String: Set<String>] = [:]
        /// ids of queued or running jobs (a dependency on anything else is already settled)
        var live: Set<String> = []
        /// outcomes of finished jobs that others may still depend on
        var outcomes: [String: Bool] = [:]
        var pending = 0
        var closed = false
        var consumer: CheckedContinuation<QueuedWork?, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func enqueue(_ jobs: [Job]) throws {
        try state.withLock { s in
            guard !s.closed else { throw ReactorError.shutdown() }
            for job in jobs {
                var entry = Entry(job: job, remainingDependencies: [])
                for dep in job.dependsOn {
                    if s.live.contains(dep) {
                        entry.remainingDependencies.insert(dep)
                        s.dependents[dep, default: []].insert(job.documentID)
                    } else if s.outcomes[dep] == false {
                        entry.failedDependency = dep
                    }
                }
                s.live.insert(job.id)
                s.perDocument[job.documentID, default: []].append(entry)
                s.pending += 1
                Self.markReadyIfRunnable(job.documentID, &s)
            }
        }
        wakeConsumer()
    }

    public func dequeue() async -> QueuedWork? {
        if let work = state.withLock({ Self.take(&$0) }) { return work }
        return await withCheckedContinuation { (c: CheckedContinuation<QueuedWork?, Never>) in
            let immediate: QueuedWork?? = state.withLock { s in
                if let work = Self.take(&s) { return .some(work) }
                if s.closed && s.pending == 0 && s.busyDocuments.isEmpty { return .some(nil) }
                precondition(s.consumer == nil, "InMemoryJobQueue supports one consumer")
                s.consumer = c
                return .none
            }
            if let immediate { c.resume(returning: immediate) }
        }
    }

    public func dequeueNow() -> QueuedWork? {
        state.withLock { Self.take(&$0) }
    }

    public func complete(_ job: Job, succeeded: Bool) {
        state.withLock { s in
            s.busyDocuments.remove(job.documentID)
            s.live.remove(job.id)
            if let docs = s.dependents.removeValue(forKey: job.id) {
                s.outcomes[job.id] = succeeded
                for doc in docs {
                    guard var queue = s.perDocument[doc] else { continue }
                    for i in queue.indices where queue[i].remainingDependencies.contains(job.id) {
                        queue[i].remainingDependencies.remove(job.id)
                        if !succeeded, queue[i].failedDependency == nil { queue[i].failedDependency = job.id }
                    }
                    s.perDocument[doc] = queue
                    Self.markReadyIfRunnable(doc, &s)
                }
            }
            Self.markReadyIfRunnable(job.documentID, &s)
        }
        wakeConsumer()
    }

    public func close() {
        state.withLock { $0.closed = true }
        wakeConsumer()
    }

    public var pendingCount: Int { state.withLock { $0.pending } }

    private func wakeConsumer() {
        let resume: (CheckedContinuation<QueuedWork?, Never>, QueuedWork?)? = state.withLock { s in
            guard let c = s.consumer else { return nil }
            if let work = Self.take(&s) {
                s.consumer = nil
                return (c, work)
            }
            if s.closed && s.pending == 0 && s.busyDocuments.isEmpty {
                s.consumer = nil
                return (c, nil)
            }
            return nil
        }
        if let (c, work) = resume { c.resume(returning: work) }
    }

    private static func take(_ s: inout State) -> QueuedWork? {
        while let doc = s.ready.popFirst() {
            s.readySet.remove(doc)
            guard !s.busyDocuments.contains(doc), var queue = s.perDocument[doc], let head = queue.first else { continue }
            guard head.remainingDependencies.isEmpty || head.failedDependency != nil else { continue }
            queue.removeFirst()
            s.perDocument[doc] = queue.isEmpty ? nil : queue
            s.busyDocuments.insert(doc)
            s.pending -= 1
            if let failed = head.failedDependency { return .dependencyFailed(head.job, dependencyID: failed) }
            return .run(head.job)
        }
        return nil
    }

    private static func markReadyIfRunnable(_ doc: String, _ s: inout State) {
        guard !s.busyDocuments.contains(doc), !s.readySet.contains(doc), let head = s.perDocument[doc]?.first else { return }
        guard head.remainingDependencies.isEmpty || head.failedDependency != nil else { return }
        s.ready.append(doc)
        s.readySet.insert(doc)
    }
}
