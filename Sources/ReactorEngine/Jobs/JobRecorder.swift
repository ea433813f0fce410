import ReactorCore
import Synchronization

/// Records jobs in a ``JobLedger`` and queues them, one batch at a time, so that this node queues its jobs in the
/// order the ledger gave them (the ledger's fence lets a job commit only after every earlier job of its document: a
/// queue order that differed would make a job wait for one queued behind it).
///
/// Concurrent submitters are combined: the first becomes the leader and records its jobs; whatever arrives meanwhile
/// is recorded by the leader in one insert afterwards (group insert), then queued in that order.
final class JobRecorder: Sendable {
    private struct Waiter {
        var jobs: [Job]
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var pending: [Waiter] = []
        var draining = false
    }
    private struct LeaderLeft: Error {}

    private let state = Mutex(State())
    let ledger: any JobLedger
    let queue: any JobQueue

    init(ledger: any JobLedger, queue: any JobQueue) {
        self.ledger = ledger
        self.queue = queue
    }

    /// Records and queues `jobs`; returns once both are done (throws the error of either).
    func submit(_ jobs: [Job]) async throws {
        while true {
            let leads = state.withLock { s -> Bool in
                if s.draining { return false }
                s.draining = true
                return true
            }
            if leads { return try await lead(jobs) }
            do {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let queued = state.withLock { s -> Bool in
                        guard s.draining else { return false }
                        s.pending.append(Waiter(jobs: jobs, continuation: c))
                        return true
                    }
                    if !queued { c.resume(throwing: LeaderLeft()) }
                }
                return
            } catch is LeaderLeft {
                continue  // the leader finished in between: lead ourselves
            }
        }
    }

    private func lead(_ jobs: [Job]) async throws {
        let own: Result<Void, any Error>
        do {
            try await recordAndQueue(jobs)
            own = .success(())
        } catch {
            own = .failure(error)
        }
        while true {
            let batch = state.withLock { s -> [Waiter] in
                guard !s.pending.isEmpty else {
                    s.draining = false
                    return []
                }
                defer { s.pending.removeAll() }
                return s.pending
            }
            if batch.isEmpty { break }
            do {
                try await recordAndQueue(batch.flatMap(\.jobs))
                for waiter in batch { waiter.continuation.resume() }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
        try own.get()
    }

    private func recordAndQueue(_ jobs: [Job]) async throws {
        try await ledger.record(jobs)
        do {
            try queue.enqueue(jobs)
        } catch {
            // The node began stopping while the jobs were being recorded: their submitters are told they failed, so
            // end the records too, or another node would take them over and run them after all.
            let reason = (error as? ReactorError) ?? .shutdown()
            for job in jobs {
                var info = JobInfo(id: job.id, documentID: job.documentID, createdAt: job.createdAt)
                info.status = .failed
                info.error = reason
                try? await ledger.finish(job, info: info)
            }
            throw error
        }
    }
}
