import Logging
import PostgresNIO
import ReactorCore
import Synchronization

/// A leased connection whose queries end with an error as soon as the connection closes.
///
/// postgres-nio's query on a connection that closed just before the query was written never completes. The
/// long-lived connections of the leader election and the pub/sub listener use this wrapper, which also listens to
/// the connection's `closeFuture` and fails every pending query when it fires.
final class WatchedConnection: Sendable {
    private struct State {
        var closed = false
        var pending: [Int: CheckedContinuation<PostgresQueryResult, any Error>] = [:]
        var nextID = 0
    }

    let connection: PostgresConnection
    private let state = Mutex(State())

    private init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    /// Watches `connection` (call once per lease).
    static func watch(_ connection: PostgresConnection) -> WatchedConnection {
        let watched = WatchedConnection(connection)
        connection.closeFuture.whenComplete { [weak watched] _ in watched?.connectionClosed() }
        return watched
    }

    /// Whether the connection has closed.
    var isClosed: Bool { state.withLock { $0.closed } || connection.isClosed }

    /// Runs `query` and collects its rows; throws a transient ``ReactorError/Code/storage`` error when the
    /// connection is or becomes closed first.
    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        try await withCheckedThrowingContinuation { continuation in
            let id: Int? = state.withLock { state in
                guard !state.closed, !connection.isClosed else { return nil }
                let id = state.nextID
                state.nextID += 1
                state.pending[id] = continuation
                return id
            }
            guard let id else {
                continuation.resume(throwing: Self.closedError())
                return
            }
            connection.query(query, logger: logger).whenComplete { [self] result in
                let waiting = state.withLock { $0.pending.removeValue(forKey: id) }
                waiting?.resume(with: result)
            }
        }
    }

    private func connectionClosed() {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for continuation in waiting { continuation.resume(throwing: Self.closedError()) }
    }

    private static func closedError() -> ReactorError {
        ReactorError(.storage, "the PostgreSQL connection closed", isTransient: true)
    }
}
