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
        /// Documents handed out, with how many of their jobs are handed out and not completed.
        var busyDocuments: [String: Int] = [:]
        var ready: Deque<String> = []
        var readySet: Set<String> = []
        /// job id -> documents whose queue holds a job depending on it
        var dependents: [String: Set<String>] = [:]
        /// ids of queued or running jobs (a dependency on anything else is already settled)
        var live: Set<String> = []
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
                // Dependencies name jobs of the same batch, enqueued before in this same call; one that already
                // finished (only possible across calls) counts as settled.
                for dep in job.dependsOn where s.live.contains(dep) {
                    entry.remainingDependencies.insert(dep)
                    s.dependents[dep, default: []].insert(job.documentID)
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

    public func dequeueFollowing(_ documentID: String, branch: String) -> Job? {
        state.withLock { s in
            guard let held = s.busyDocuments[documentID], let head = s.perDocument[documentID]?.first,
                  head.remainingDependencies.isEmpty, head.failedDependency == nil, head.job.branch == branch,
                  case .actions = head.job.payload
            else { return nil }
            s.perDocument[documentID]!.removeFirst()
            if s.perDocument[documentID]!.isEmpty { s.perDocument[documentID] = nil }
            s.busyDocuments[documentID] = held + 1
            s.pending -= 1
            return head.job
        }
    }

    public func complete(_ job: Job, succeeded: Bool) {
        state.withLock { s in
            if let held = s.busyDocuments[job.documentID] {
                s.busyDocuments[job.documentID] = held > 1 ? held - 1 : nil
            }
            s.live.remove(job.id)
            if let docs = s.dependents.removeValue(forKey: job.id) {
                for doc in docs {
                    guard let indices = s.perDocument[doc]?.indices else { continue }
                    for i in indices where s.perDocument[doc]![i].remainingDependencies.contains(job.id) {
                        s.perDocument[doc]![i].remainingDependencies.remove(job.id)
                        if !succeeded, s.perDocument[doc]![i].failedDependency == nil { s.perDocument[doc]![i].failedDependency = job.id }
                    }
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
            guard s.busyDocuments[doc] == nil, let head = s.perDocument[doc]?.first else { continue }
            guard head.remainingDependencies.isEmpty || head.failedDependency != nil else { continue }
            // Mutate in place: copying the deque out of the dictionary would copy the whole queue.
            s.perDocument[doc]!.removeFirst()
            if s.perDocument[doc]!.isEmpty { s.perDocument[doc] = nil }
            s.busyDocuments[doc] = 1
            s.pending -= 1
            if let failed = head.failedDependency { return .dependencyFailed(head.job, dependencyID: failed) }
            return .run(head.job)
        }
        return nil
    }

    private static func markReadyIfRunnable(_ doc: String, _ s: inout State) {
        guard s.busyDocuments[doc] == nil, !s.readySet.contains(doc), let head = s.perDocument[doc]?.first else { return }
        guard head.remainingDependencies.isEmpty || head.failedDependency != nil else { return }
        s.ready.append(doc)
        s.readySet.insert(doc)
    }
}
