/// Leader election: at most one holder of a named leadership at a time, among the tasks of one process or the
/// nodes on one database.
///
/// Adapters: `ReactorMemory.AlwaysLeader` (one node: the node is always the leader, and within the process the
/// leadership of a name is still held by one task at a time) and `ReactorPostgres.PostgresLeaderElection` (a
/// session-level advisory lock on a dedicated connection, so a node that dies or loses its connection loses its
/// leadership). Every adapter passes `ReactorTesting.LeaderElectionConformance`.
///
/// Leadership is scoped: ``withLeadershipIfAvailable(of:_:)`` runs its body as leader and releases the leadership
/// when the body returns or throws. When an adapter learns that leadership was lost while the body runs, it marks the
/// ``Leadership`` handle as lost, cancels the body, waits for it to end and throws
/// ``ReactorError/Code/leadershipLost``; the body should therefore respond to cancellation.
///
/// Names are checked with ``PlatformName/validate(_:kind:)``; a bad one fails with
/// ``ReactorError/Code/invalidArgument``.
public protocol LeaderElection: Sendable {
    /// Tries once to take the leadership `name`. When it is free, runs `body` as leader, releases the leadership and
    /// returns what `body` returned; when another holder has it, returns `nil` at once without running `body`.
    func withLeadershipIfAvailable<T: Sendable>(
        of name: String, _ body: @escaping @Sendable (Leadership) async throws -> T
    ) async throws -> T?
}

extension LeaderElection {
    /// Waits until the leadership `name` is free (trying every `retryInterval`), then runs `body` as leader and
    /// returns what it returned. Cancelling the waiting task stops the wait with `CancellationError`.
    public func withLeadership<T: Sendable>(
        of name: String, retryInterval: Duration = .seconds(1), _ body: @escaping @Sendable (Leadership) async throws -> T
    ) async throws -> T {
        try PlatformDuration.validatePositive(retryInterval, name: "retryInterval")
        while true {
            try Task.checkCancellation()
            if let result = try await withLeadershipIfAvailable(of: name, body) { return result }
            try await Task.sleep(for: retryInterval)
        }
    }
}
