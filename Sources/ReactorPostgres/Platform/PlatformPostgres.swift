import Logging
import PostgresNIO
import ReactorCore

/// Helpers shared by the PostgreSQL platform adapters (cache, pub/sub, leader election).
enum PlatformPostgres {
    /// Throws ``ReactorError/Code/invalidArgument`` unless `schema` is a plain lower-case PostgreSQL identifier
    /// (`[a-z_][a-z0-9_]*`, at most 63 bytes), so that it can be quoted into SQL as is.
    static func validateIdentifier(_ value: String, what: String) throws {
        let bytes = Array(value.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 63
            && bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
            && !(bytes[0] >= 0x30 && bytes[0] <= 0x39)
        guard valid else {
            throw ReactorError(
                .invalidArgument, "invalid \(what) '\(value)': use 1–63 lower-case letters, digits and '_', not starting with a digit",
                details: [what: value])
        }
    }

    /// Runs `body`, turning any error that is not a ``ReactorError`` into a transient
    /// ``ReactorError/Code/storage`` error that names `what` failed.
    @discardableResult
    static func storage<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ReactorError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ReactorError(.storage, "PostgreSQL: \(what) failed", details: ["error": String(reflecting: error)], isTransient: true)
        }
    }

    /// Creates what `statements` create, once at a time across every node: in one transaction holding a
    /// transaction-level advisory lock keyed by `lockName` (so concurrent `migrate()` calls cannot race on
    /// `CREATE … IF NOT EXISTS`).
    static func migrate(client: PostgresClient, lockName: String, statements: [String], logger: Logger) async throws {
        try await storage("migration \(lockName)") {
            try await client.withConnection { leased in
                // Not `withTransaction`: its ROLLBACK after a lost connection would never complete.
                let connection = WatchedConnection.watch(leased)
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(lockName), 0))", logger: logger)
                    for statement in statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                    throw error
                }
            }
        }
    }

    /// The bytes of a `bytea` column.
    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }

    /// A `bytea` parameter.
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }
}
