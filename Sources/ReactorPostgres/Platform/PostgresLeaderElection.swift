import Logging
import PostgresNIO
import ReactorCore

/// The PostgreSQL ``LeaderElection``: a session-level advisory lock held on a dedicated connection.
///
/// `withLeadershipIfAvailable` leases one connection of the caller's `PostgresClient` for as long as it holds the
/// leadership and takes `pg_try_advisory_lock(hashtextextended(namespace || ':' || name, 0))` on it. The lock
/// belongs to that database session: when the node dies or its connection drops, PostgreSQL releases the lock and
/// another node can take the leadership. While the body runs, the connection is checked every
/// ``Configuration/checkInterval`` (`SELECT 1`); when the check fails the holder has lost the lock, so the
/// ``Leadership`` handle is marked lost, the body is cancelled and the call throws
/// ``ReactorError/Code/leadershipLost`` once the body has ended. After a normal end the lock is released with
/// `pg_advisory_unlock`; when that fails the connection is closed so the server releases the lock.
///
/// Each holder keeps one pooled connection busy: size the client's pool for the leaderships held at once plus the
/// other work of the node.
public struct PostgresLeaderElection: LeaderElection {
    /// Settings of a ``PostgresLeaderElection``.
    public struct Configuration: Sendable {
        /// Prepended to every leadership name before hashing it to the 64-bit lock key, so that this application's
        /// locks do not collide with other users of advisory locks on the database. Default `reactor.leader`.
        public var namespace: String
        /// How often a holder checks that its connection (and so its lock) is alive. Default 2 s.
        public var checkInterval: Duration

        /// Creates settings.
        public init(namespace: String = "reactor.leader", checkInterval: Duration = .seconds(2)) {
            self.namespace = namespace
            self.checkInterval = checkInterval
        }
    }

    private let client: PostgresClient
    private let configuration: Configuration
    private let logger: Logger

    /// A leader election on `client`'s database.
    ///
    /// - Throws: ``ReactorError/Code/invalidArgument`` when the check interval is not positive.
    public init(client: PostgresClient, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "reactor.postgres.leader")) throws {
        try PlatformDuration.validatePositive(configuration.checkInterval, name: "checkInterval")
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    public func withLeadershipIfAvailable<T: Sendable>(
        of name: String, _ body: @escaping @Sendable (Leadership) async throws -> T
    ) async throws -> T? {
        try PlatformName.validate(name, kind: "leadership name")
        let key = "\(configuration.namespace):\(name)"
        let logger = logger
        let interval = configuration.checkInterval
        // The body's own outcome travels out as a value, so that only database failures become STORAGE_ERROR.
        let outcome = try await PlatformPostgres.storage("leadership '\(name)'") {
            try await client.withConnection { connection -> Result<T, any Error>? in
                let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0))", logger: logger)
                var acquired = false
                for try await value in rows.decode(Bool.self) { acquired = value }
                guard acquired else { return nil }
                let leadership = Leadership(name: name)
                let connection = WatchedConnection.watch(connection)
                let outcome: Result<T, any Error>
                do {
                    outcome = .success(try await Self.lead(leadership, on: connection, checkInterval: interval, logger: logger, body))
                } catch {
                    outcome = .failure(error)
                }
                leadership.end()
                await Self.release(key, on: connection, logger: logger)
                return outcome
            }
        }
        return try outcome?.get()
    }

    private enum Turn<T: Sendable>: Sendable {
        case finished(T)
        case lost
    }

    /// Runs `body` beside a watchdog of the connection; whichever ends first decides.
    private static func lead<T: Sendable>(
        _ leadership: Leadership, on connection: WatchedConnection, checkInterval: Duration, logger: Logger,
        _ body: @escaping @Sendable (Leadership) async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Turn<T>.self) { group in
            group.addTask { .finished(try await body(leadership)) }
            group.addTask {
                while true {
                    try await Task.sleep(for: checkInterval)
                    do {
                        try await connection.query("SELECT 1", logger: logger)
                    } catch {
                        try Task.checkCancellation()
                        logger.warning("leadership lost: its connection failed", metadata: ["name": "\(leadership.name)", "error": "\(error)"])
                        return .lost
                    }
                }
            }
            let first = try await group.next()
            switch first {
            case .finished(let value):
                group.cancelAll()
                return value
            case .lost, nil:
                leadership.end()
                // Cancel the body; the group waits for it to end before the error leaves, so that no leader work
                // outlives the call.
                group.cancelAll()
                throw ReactorError(
                    .leadershipLost, "leadership '\(leadership.name)' was lost: the connection holding its lock failed",
                    details: ["name": leadership.name], isTransient: true)
            }
        }
    }

    /// Releases the lock; closes the connection when that fails, so that the server releases it.
    private static func release(_ key: String, on connection: WatchedConnection, logger: Logger) async {
        guard !connection.isClosed else { return }
        do {
            try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger)
        } catch {
            logger.debug("closing the connection of a leadership whose unlock failed", metadata: ["error": "\(error)"])
            try? await connection.connection.close()
        }
    }
}
