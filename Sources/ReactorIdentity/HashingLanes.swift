import Dispatch
import Synchronization

/// Runs password hashing (scrypt: ~0.1 s of CPU and 32 MiB each at the default cost) on a few dedicated serial
/// dispatch queues instead of the Swift concurrency pool, so a burst of logins never occupies the threads every other
/// request needs. At most `width` hashes run at once (the memory bound); more wait their turn on a lane.
final class HashingLanes: Sendable {
    private let lanes: [DispatchQueue]
    private let next = Mutex(0)

    /// `width` lanes (at least 1).
    init(width: Int) {
        lanes = (0..<max(1, width)).map { DispatchQueue(label: "reactor.identity.scrypt.\($0)") }
    }

    /// Runs `work` on the next lane and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        let lane = next.withLock { counter -> DispatchQueue in
            defer { counter &+= 1 }
            return lanes[counter % lanes.count]
        }
        return await withCheckedContinuation { continuation in
            lane.async { continuation.resume(returning: work()) }
        }
    }
}
