import Synchronization

/// The handle a leader gets while it runs as leader (see ``LeaderElection``).
///
/// ``isLeader`` is `true` while the body runs as leader and turns `false` once leadership is released or lost.
/// Before a side effect that only the leader may cause, a long-running body can call ``checkLeadership()``.
public final class Leadership: Sendable {
    /// The name of the leadership.
    public let name: String
    private let held = Atomic<Bool>(true)

    /// Creates a held leadership (adapters only).
    public init(name: String) {
        self.name = name
    }

    /// Whether this holder still is the leader.
    public var isLeader: Bool { held.load(ordering: .acquiring) }

    /// Throws ``ReactorError/Code/leadershipLost`` unless this holder still is the leader.
    public func checkLeadership() throws {
        guard isLeader else {
            throw ReactorError(.leadershipLost, "leadership '\(name)' is no longer held", details: ["name": name])
        }
    }

    /// Marks the leadership as released or lost (adapters only). Irreversible.
    public func end() {
        held.store(false, ordering: .releasing)
    }
}
