import Dispatch
import DequeModule
import Synchronization

/// The threads WebAssembly runs on: `width` serial dispatch queues fed from one first-come-first-served queue.
///
/// The interpreter runs a guest to its end without yielding, so it never runs on Swift's cooperative pool (whose few
/// threads every request needs): `invoke` suspends on a continuation and a worker answers it. At most `width`
/// guests run at once (the CPU bound); more wait in the queue, and a job whose caller was answered meanwhile (its
/// timeout passed) is skipped when its turn comes.
final class WasmWorkers: Sendable {
    private struct State {
        var pending: Deque<@Sendable () -> Void> = []
        var idle: [Int]
    }

    private let lanes: [DispatchQueue]
    private let state: Mutex<State>

    /// `width` workers (at least 1).
    init(width: Int, label: String) {
        let width = max(1, width)
        lanes = (0..<width).map { DispatchQueue(label: "\(label).\($0)") }
        state = Mutex(State(idle: Array((0..<width).reversed())))
    }

    /// Runs `job` on the next free worker.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let lane: Int? = state.withLock { state in
            state.pending.append(job)
            return state.idle.popLast()
        }
        if let lane { lanes[lane].async { [self] in drain(lane) } }
    }

    /// Runs queued jobs on `lane` until the queue is empty, then marks the lane idle.
    private func drain(_ lane: Int) {
        while let job = state.withLock({ state -> (@Sendable () -> Void)? in
            if let job = state.pending.popFirst() { return job }
            state.idle.append(lane)
            return nil
        }) {
            job()
        }
    }
}
