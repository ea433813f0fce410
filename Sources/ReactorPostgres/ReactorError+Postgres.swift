import PostgresNIO
import ReactorCore

extension ReactorError {
    /// Maps a postgres-nio error to a ``ReactorError``, mirroring the SQLite store's mapping.
    ///
    /// - A unique violation of the stream position `(document_id, scope, branch, idx)` becomes a transient
    ///   `REVISION_CONFLICT`; of the operation id, a transient `REVISION_CONFLICT`; of a document id,
    ///   `DOCUMENT_EXISTS`; of a slug, `SLUG_TAKEN`.
    /// - Serialization failures, deadlocks, lock timeouts, a server shutting down, too many connections, a lost or
    ///   refused connection and a closed pool become a transient `STORAGE_ERROR`.
    /// - Text PostgreSQL cannot store (a NUL character in an id or name) becomes `INVALID_INPUT`.
    /// - Everything else becomes a permanent `STORAGE_ERROR`. The SQLSTATE, message and constraint go to ``details``.
    init(postgres error: PSQLError) {
        guard error.code == .server, let info = error.serverInfo else {
            self.init(
                .storage, "cannot reach PostgreSQL (\(error.code))",
                details: ["postgresError": error.code.description, "underlying": error.underlying.map { String(describing: $0) } ?? ""],
                isTransient: error.code != .tooManyParameters && error.code != .unsupportedAuthMechanism
                    && error.code != .authMechanismRequiresPassword && error.code != .saslError)
            return
        }
        let state = info[.sqlState] ?? ""
        let constraint = info[.constraintName] ?? ""
        var details = ["sqlState": state, "postgresMessage": info[.message] ?? ""]
        if !constraint.isEmpty { details["constraint"] = constraint }
        if let detail = info[.detail] { details["postgresDetail"] = detail }
        switch state {
        case "23505" where constraint == PostgresConstraint.streamPosition:
            details["reason"] = "an operation with this stream position is already stored"
            self.init(.revisionConflict, "a concurrent writer appended to the stream", details: details, isTransient: true)
        case "23505" where constraint == PostgresConstraint.operationID:
            self.init(.revisionConflict, "an operation with this id is already stored", details: details, isTransient: true)
        case "23505" where constraint == PostgresConstraint.documentID:
            self.init(.documentExists, "the document already exists", details: details)
        case "23505" where constraint == PostgresConstraint.slug:
            self.init(.slugTaken, "the slug is used by another document", details: details)
        case "22021", "22P05":
            self.init(.invalidInput, "PostgreSQL cannot store a character of the text (e.g. NUL)", details: details)
        case _ where Self.isTransientSQLState(state):
            self.init(.storage, "PostgreSQL is busy or unavailable (SQLSTATE \(state))", details: details, isTransient: true)
        default:
            self.init(.storage, "PostgreSQL error \(state)", details: details)
        }
    }

    /// Whether an SQLSTATE says that retrying the same work may succeed: serialization failure and deadlock (class
    /// 40), lock not available (55P03), connection exceptions (08), insufficient resources (53), operator intervention
    /// such as a shutdown or a cancelled statement (57), system errors (58).
    static func isTransientSQLState(_ state: String) -> Bool {
        state == "55P03" || ["40", "08", "53", "57", "58"].contains(String(state.prefix(2)))
    }

    /// Maps any error met while writing to a ``ReactorError`` (a ``ReactorError`` passes through unchanged).
    static func postgresFailure(_ error: any Error) -> ReactorError {
        switch error {
        case let error as ReactorError: error
        case let error as PSQLError: ReactorError(postgres: error)
        case let error as StreamPositionConflict: ReactorError(postgres: error.underlying)
        case is CancellationError: ReactorError(.storage, "the PostgreSQL access was cancelled", isTransient: true)
        case let error as PostgresDecodingError:
            ReactorError(.storage, "a PostgreSQL row does not decode", details: ["column": error.columnName, "underlying": "\(error.code)"])
        default: ReactorError(.storage, "PostgreSQL store failure", details: ["underlying": String(describing: error)])
        }
    }

    /// Maps any error met while reading: like ``postgresFailure(_:)``, except that a `CancellationError` passes through.
    static func postgresReadFailure(_ error: any Error) -> any Error {
        error is CancellationError ? error : postgresFailure(error)
    }
}

/// Whether an error is about the whole write transaction (the connection, the server, a failed `COMMIT`) rather than
/// about one commit in it, so that redoing the other commits of a batch cannot help.
enum PostgresErrorKind {
    static func failsWholeTransaction(_ error: any Error) -> Bool {
        switch error {
        case is ReactorError, is StreamPositionConflict, is PostgresCommitWriter.FastPathMismatch: return false
        case let error as PSQLError:
            guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return true }
            return ReactorError.isTransientSQLState(state) || state.hasPrefix("25") || state.hasPrefix("XX")
        default: return true
        }
    }
}

/// The names of the constraints the store maps to typed errors (see ``PostgresSchema``).
enum PostgresConstraint {
    static let streamPosition = "operations_stream_position_key"
    static let operationID = "operations_op_id_key"
    static let documentID = "documents_id_key"
    static let slug = "documents_slug_key"

    /// Whether `error` is a unique violation (SQLSTATE 23505) of `constraint`.
    static func isViolation(of constraint: String, _ error: PSQLError) -> Bool {
        error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.constraintName] == constraint
    }
}
