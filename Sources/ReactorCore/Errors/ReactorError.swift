/// The one error type of the document reactor.
///
/// Every failure carries a stable machine-readable ``code`` (mapped to HTTP in one place by the server), a safe
/// human-readable ``message`` and optional ``details`` for debugging. Errors are values: they are stored on failed
/// jobs and travel through events unchanged.
public struct ReactorError: Error, Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable error code. Codes never change meaning once published.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No document has the given id (or slug).
        public static let documentNotFound = Code("DOCUMENT_NOT_FOUND")
        /// The document was deleted; it can no longer be written.
        public static let documentDeleted = Code("DOCUMENT_DELETED")
        /// A document with this id already exists.
        public static let documentExists = Code("DOCUMENT_EXISTS")
        /// The slug is used by another document.
        public static let slugTaken = Code("SLUG_TAKEN")
        /// An identifier matches one document by id and another by slug.
        public static let ambiguousIdentifier = Code("AMBIGUOUS_IDENTIFIER")
        /// No model is registered for the document type.
        public static let unknownDocumentType = Code("UNKNOWN_DOCUMENT_TYPE")
        /// The model does not know the action type.
        public static let unknownAction = Code("UNKNOWN_ACTION")
        /// The scope is not one the model declares.
        public static let unknownScope = Code("UNKNOWN_SCOPE")
        /// An action's input does not match what its type requires.
        public static let invalidInput = Code("INVALID_INPUT")
        /// An action has no id.
        public static let missingActionID = Code("MISSING_ACTION_ID")
        /// An optimistic append found the stream at another revision.
        public static let revisionConflict = Code("REVISION_CONFLICT")
        /// Loaded operations would leave a gap in the stream.
        public static let operationGap = Code("OPERATION_GAP")
        /// A loaded operation has the index of an existing one but different content.
        public static let operationMismatch = Code("OPERATION_MISMATCH")
        /// The reducer threw: recorded on the operation, the job itself succeeds.
        public static let reducerError = Code("REDUCER_ERROR")
        /// The job ran longer than the configured job timeout.
        public static let jobTimeout = Code("JOB_TIMEOUT")
        /// A job this job depends on failed.
        public static let dependencyFailed = Code("DEPENDENCY_FAILED")
        /// A batch names a dependency key that no job in the batch has.
        public static let unknownDependency = Code("UNKNOWN_DEPENDENCY")
        /// A batch's dependencies form a cycle.
        public static let dependencyCycle = Code("DEPENDENCY_CYCLE")
        /// A batch has two jobs with one key.
        public static let duplicateKey = Code("DUPLICATE_KEY")
        /// The reactor is shutting down or has shut down.
        public static let shutdown = Code("SHUTDOWN")
        /// A read's consistency token was not reached before its deadline.
        public static let consistencyTimeout = Code("CONSISTENCY_TIMEOUT")
        /// Signatures are required and the action has none.
        public static let signatureRequired = Code("SIGNATURE_REQUIRED")
        /// An action's signature does not verify.
        public static let invalidSignature = Code("INVALID_SIGNATURE")
        /// An action's signature was made over a payload format this reactor no longer accepts (see `docs/signing.md`).
        public static let signatureVersionUnsupported = Code("SIGNATURE_VERSION_UNSUPPORTED")
        /// An action carries a signer or signatures and this reactor does not accept signed actions (`[signing] mode =
        /// "off"`).
        public static let signingDisabled = Code("SIGNING_DISABLED")
        /// No job has the given id.
        public static let jobNotFound = Code("JOB_NOT_FOUND")
        /// The storage backend failed.
        public static let storage = Code("STORAGE_ERROR")
        /// A request argument is out of range or malformed (paging cursor, limit, …).
        public static let invalidArgument = Code("INVALID_ARGUMENT")
        /// An undo, redo or prune could not be applied.
        public static let historyError = Code("HISTORY_ERROR")
        /// An undo, redo or prune would replay more operations than the reactor allows
        /// (`reactor.max_history_replay_operations`): prune the history (`PRUNE` with `start` 0) first.
        public static let historyTooLong = Code("HISTORY_TOO_LONG")
        /// The operation is not supported by this component.
        public static let unsupported = Code("UNSUPPORTED")
        /// A call that needs a bearer token came without one.
        public static let unauthenticated = Code("UNAUTHENTICATED")
        /// A bearer token is not a well-formed token.
        public static let tokenMalformed = Code("TOKEN_MALFORMED")
        /// A bearer token has expired (or is not valid yet).
        public static let tokenExpired = Code("TOKEN_EXPIRED")
        /// A bearer token's signature does not verify with any trusted key.
        public static let tokenSignature = Code("TOKEN_SIGNATURE_INVALID")
        /// A bearer token is not meant for this audience.
        public static let tokenAudience = Code("TOKEN_AUDIENCE_INVALID")
        /// A bearer token comes from an issuer that is not trusted.
        public static let tokenIssuer = Code("TOKEN_ISSUER_INVALID")
        /// The token verifier could not be asked (a remote verifier or a JWKS endpoint is unreachable).
        public static let authUnavailable = Code("AUTH_UNAVAILABLE")
        /// The caller is known but may not do this.
        public static let forbidden = Code("FORBIDDEN")
        /// No secret is stored at the path.
        public static let secretNotFound = Code("SECRET_NOT_FOUND")
        /// The vault's master key is missing, malformed or does not open the vault file.
        public static let vaultKey = Code("VAULT_KEY_INVALID")
        /// The vault file cannot be read as a vault (truncated, tampered with, another format).
        public static let vaultCorrupt = Code("VAULT_CORRUPT")
        /// The configuration is invalid (an unknown key, a wrong type, a missing value, an unresolvable reference).
        public static let configInvalid = Code("CONFIG_INVALID")
        /// The store's schema is missing or older than this build, and migrations do not run at boot
        /// (`store.migrate = "manual"`): run `reactor migrate`.
        public static let schemaNotMigrated = Code("SCHEMA_NOT_MIGRATED")
        /// The server cannot listen on `server.bind`: another process holds the address, or it may not be bound.
        public static let addressUnavailable = Code("ADDRESS_UNAVAILABLE")
        /// A request is malformed (bad JSON, a missing parameter).
        public static let badRequest = Code("BAD_REQUEST")
        /// A request body is larger than the server accepts.
        public static let payloadTooLarge = Code("PAYLOAD_TOO_LARGE")
        /// A request's head (URL and header fields) is larger than the server accepts (`server.max_header_bytes`).
        public static let headersTooLarge = Code("HEADERS_TOO_LARGE")
        /// A request's URL is longer than the server accepts (`server.max_url_bytes`).
        public static let urlTooLong = Code("URL_TOO_LONG")
        /// A request's head did not arrive in time (`server.header_read_timeout_seconds`).
        public static let requestTimeout = Code("REQUEST_TIMEOUT")
        /// The server has as many open connections as it accepts (`server.max_connections`); retry later.
        public static let tooManyConnections = Code("TOO_MANY_CONNECTIONS")
        /// No route matches the request path.
        public static let notFound = Code("NOT_FOUND")
        /// The route exists but not for this HTTP method.
        public static let methodNotAllowed = Code("METHOD_NOT_ALLOWED")
        /// Another node took the job over (this node was presumed dead); the job's outcome is in the job record.
        public static let jobTakenOver = Code("JOB_TAKEN_OVER")
        /// An earlier job of the document is unfinished on another node (transient: the job waits for its turn).
        public static let documentBusy = Code("DOCUMENT_BUSY")
        /// A document has as much pending work (jobs accepted and not finished, or their bytes) as the reactor admits
        /// per document: the submission was refused whole; retry after `details.retryAfterSeconds` (HTTP 429).
        public static let tooManyPendingJobs = Code("TOO_MANY_PENDING_JOBS")
        /// The reactor has as much pending work in total as it admits: the submission was refused whole; retry after
        /// `details.retryAfterSeconds` (HTTP 503).
        public static let overloaded = Code("OVERLOADED")
        /// The job was accepted but had not finished when the shutdown's drain deadline passed: it was failed and
        /// nothing of it was written.
        public static let shutdownDeadline = Code("SHUTDOWN_DEADLINE")
        /// An internal invariant was broken (a bug).
        public static let `internal` = Code("INTERNAL")
    }

    /// The stable code.
    public var code: Code
    /// A safe, human-readable explanation.
    public var message: String
    /// Extra facts for debugging (ids, indices, the underlying error).
    public var details: [String: String]
    /// Whether retrying the same work may succeed (a busy database, a lost race). Permanent errors are not retried.
    public var isTransient: Bool

    public init(_ code: Code, _ message: String, details: [String: String] = [:], isTransient: Bool = false) {
        self.code = code
        self.message = message
        self.details = details
        self.isTransient = isTransient
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public var debugDescription: String {
        guard !details.isEmpty else { return description }
        let extra = details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(description) [\(extra)]"
    }
}

extension ReactorError {
    public static func documentNotFound(_ id: String) -> ReactorError {
        ReactorError(.documentNotFound, "no document '\(id)'", details: ["documentId": id])
    }
    public static func documentDeleted(_ id: String) -> ReactorError {
        ReactorError(.documentDeleted, "document '\(id)' was deleted", details: ["documentId": id])
    }
    public static func invalidInput(_ message: String, path: String? = nil) -> ReactorError {
        var details: [String: String] = [:]
        if let path { details["path"] = path }
        return ReactorError(.invalidInput, message, details: details)
    }
    public static func storage(_ message: String, transient: Bool = false) -> ReactorError {
        ReactorError(.storage, message, isTransient: transient)
    }
    public static func shutdown() -> ReactorError {
        ReactorError(.shutdown, "the reactor is shutting down and accepts no new work")
    }
}
