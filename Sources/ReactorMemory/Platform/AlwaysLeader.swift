import ReactorCore
import Synchronization

/// The single-node ``LeaderElection``: this node is always the leader.
///
/// With only one node there is nobody to elect against, yet several tasks of the process may contend for one
/// leadership (two schedulers, a restarted service): the leadership of a name is therefore still held by one task
/// at a time, and the others see it as taken (`nil` from ``withLeadershipIfAvailable(of:_:)``) until it is released.
/// Leadership is never lost while held. Share one instance within a process.
public final class AlwaysLeader: LeaderElection {
    private let held = Mutex(Set<String>())

    /// A leader election with no leadership held.
    public init() {}

    public func withLeadershipIfAvailable<T: Sendable>(
        of name: String, _ body: @escaping @Sendable (Leadership) async throws -> T
    ) async throws -> T? {
        try PlatformName.validate(name, kind: "leadership name")
        let acquired = held.withLock { $0.insert(name).inserted }
        guard acquired else { return nil }
        let leadership = Leadership(name: name)
        defer {
            leadership.end()
            _ = held.withLock { $0.remove(name) }
        }
        return try await body(leadership)
    }

    /// Whether the leadership `name` is held by some task now.
    public func isHeld(_ name: String) -> Bool {
        held.withLock { $0.contains(name) }
    }
}
