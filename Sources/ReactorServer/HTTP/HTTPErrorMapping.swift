import HTTPTypes
import ReactorCore

/// The one place where a ``ReactorError/Code`` becomes an HTTP status.
///
/// Bad input is always a 4xx; a 5xx means the server (or a backend it needs) failed.
public enum HTTPErrorMapping {
    /// The HTTP status for `error`.
    public static func status(for error: ReactorError) -> HTTPResponse.Status {
        switch error.code {
        case .documentNotFound, .jobNotFound, .secretNotFound, .notFound, .unsupported, .remoteNotFound, .channelNotFound,
            .bucketNotFound, .blobNotFound, .uploadNotFound:
            return .notFound
        case .documentDeleted:
            return .gone
        case .documentExists, .slugTaken, .revisionConflict, .operationMismatch, .operationGap, .ambiguousIdentifier, .remoteExists, .remoteNotRunning,
            .bucketExists, .bucketNotEmpty:
            return .conflict
        case .unknownDocumentType, .unknownAction, .unknownScope, .invalidInput, .missingActionID, .invalidArgument,
            .badRequest, .unknownDependency, .dependencyCycle, .duplicateKey, .historyError, .invalidResumePosition,
            .invalidBlobKey, .blobChecksumMismatch, .invalidPart:
            return .badRequest
        case .rangeNotSatisfiable:
            return .rangeNotSatisfiable
        case .historyTooLong, .mergeTooLarge, .mergeUnsupported:
            return .unprocessableContent
        case .dependencyFailed:
            return HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")
        case .signatureRequired, .invalidSignature, .signatureVersionUnsupported, .signingDisabled, .forbidden, .originNotAllowed,
            .signedURLInvalid:
            return .forbidden
        case .hostNotAllowed:
            return .misdirectedRequest
        case .unsupportedMediaType:
            return .unsupportedMediaType
        case .upgradeRequired:
            return .upgradeRequired
        case .unauthenticated, .tokenMalformed, .tokenExpired, .tokenSignature, .tokenAudience, .tokenIssuer:
            return .unauthorized
        // Identity (issue 14).
        case .invalidCredentials, .userDisabled, .refreshTokenInvalid, .refreshTokenReused, .apiKeyInvalid:
            return .unauthorized
        case .tooManyLoginAttempts:
            return .tooManyRequests
        case .emailTaken:
            return .conflict
        case .signupDisabled:
            return .forbidden
        case .userNotFound, .apiKeyNotFound:
            return .notFound
        case .payloadTooLarge:
            return .contentTooLarge
        case .headersTooLarge:
            return .requestHeaderFieldsTooLarge
        case .urlTooLong:
            return .uriTooLong
        case .requestTimeout:
            return .requestTimeout
        case .methodNotAllowed:
            return .methodNotAllowed
        case .consistencyTimeout, .jobTimeout, .syncTimeout:
            return .gatewayTimeout
        case .tooManyPendingJobs:
            return .tooManyRequests
        case .peerUnavailable, .peerRefused:
            return .badGateway
        case .shutdown, .shutdownDeadline, .overloaded, .authUnavailable, .schemaNotMigrated, .tooManyConnections, .vaultUnavailable:
            return .serviceUnavailable
        case .storage, .storageUnavailable:
            return error.isTransient ? .serviceUnavailable : .internalServerError
        // Functions (issue 15): a bad module is the uploader's fault; a function that fails is a failing upstream
        // (502, the code and `details.limit` say which limit), one that runs too long a gateway timeout.
        case .functionInvalidModule:
            return .unprocessableContent
        case .functionFuelExhausted, .functionMemoryLimit, .functionTrapped, .functionExited, .functionResponseTooLarge,
            .functionBadResponse:
            return .badGateway
        case .functionTimeout:
            return .gatewayTimeout
        case .functionBusy:
            return .tooManyRequests
        case .functionCancelled:
            return .serviceUnavailable
        case .functionNotFound, .functionVersionNotFound, .functionsDisabled:
            return .notFound
        case .functionNotLive, .functionNoPreviousVersion:
            return .conflict
        case .functionRuntimeUnavailable:
            return .unprocessableContent
        // Document models as WASM modules (issue 15).
        case .modelInvalid:
            return .unprocessableContent
        case .modelExists:
            return .conflict
        case .modelNotFound:
            return .notFound
        // AI gateway (issue 16): an upstream that fails is a bad gateway (or its timeout); a 4xx it answered is the
        // caller's error and keeps its status.
        case .aiUpstreamUnavailable:
            return .badGateway
        case .aiUpstreamTimeout:
            return .gatewayTimeout
        case .aiUpstreamRejected:
            let status = error.details["status"].flatMap { Int($0) } ?? 400
            return passedUpstreamStatuses.contains(status) ? HTTPResponse.Status(code: status) : .badRequest
        case .aiModelNotFound, .aiDisabled:
            return .notFound
        case .aiBudgetExceeded:
            return .tooManyRequests
        default:
            return .internalServerError
        }
    }

    /// The upstream statuses an `AI_UPSTREAM_REJECTED` answer keeps (any other 4xx becomes 400).
    static let passedUpstreamStatuses: Set<Int> = [400, 404, 409, 413, 415, 422]

    /// The `Retry-After` of an error response, in seconds: the refusal's retry hint (`details.retryAfterSeconds`) for
    /// the admission refusals `TOO_MANY_PENDING_JOBS` (429) and `OVERLOADED` (503); nil for any other error.
    public static func retryAfterSeconds(for error: ReactorError) -> Int? {
        guard error.code == .tooManyPendingJobs || error.code == .overloaded || error.code == .tooManyLoginAttempts
            || error.code == .functionBusy || error.code == .aiBudgetExceeded
        else { return nil }
        return error.details["retryAfterSeconds"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
    }

    /// The JSON body of an error response: `{"error": {"code", "message", "path"?, "details"?}}` (see
    /// ``publicError(_:)`` for what of the error is shown).
    public static func body(for error: ReactorError, extra: [String: JSONValue] = [:]) -> JSONValue {
        var body = extra
        body["error"] = publicError(error)
        return .object(body)
    }

    /// What a client may see of `error`: `{"code", "message", "path"?, "details"?}`.
    ///
    /// Nothing of the server's internals reaches a client (the full error goes to the server log): an error the
    /// server answers with a 5xx gets a fixed message per code and no details (database messages, SQL, file paths and
    /// underlying errors stay out), unless its code is one whose message is written for clients
    /// (``clientFacingServerCodes``). Other errors keep their message, and only the details that
    /// ``publicDetailKeys(for:)`` allows for their code.
    public static func publicError(_ error: ReactorError) -> JSONValue {
        var object: [String: JSONValue] = ["code": .string(error.code.rawValue)]
        if status(for: error).code >= 500, !clientFacingServerCodes.contains(error.code) {
            object["message"] = .string(serverFailureMessage(for: error.code))
            return .object(object)
        }
        object["message"] = .string(error.message)
        let allowed = publicDetailKeys(for: error.code)
        var details: [String: JSONValue] = [:]
        for (key, value) in error.details where allowed.contains(key) {
            if key == "path" { object["path"] = .string(value) } else { details[key] = .string(value) }
        }
        if !details.isEmpty { object["details"] = .object(details) }
        return .object(object)
    }

    /// 5xx codes whose messages are written for clients and name nothing internal.
    static let clientFacingServerCodes: Set<ReactorError.Code> = [
        .jobTimeout, .consistencyTimeout, .shutdown, .schemaNotMigrated, .documentBusy, .jobTakenOver, .overloaded, .shutdownDeadline, .tooManyConnections,
        .syncTimeout, .peerUnavailable, .peerRefused, .storageUnavailable,
        // A function's own failure, described for its caller (which limit, which trap); nothing of the server.
        .functionFuelExhausted, .functionMemoryLimit, .functionTimeout, .functionTrapped, .functionExited,
        .functionResponseTooLarge, .functionBadResponse, .functionCancelled,
        // An AI upstream's failure: which provider, why (a status, a timeout); never its URL or key.
        .aiUpstreamUnavailable, .aiUpstreamTimeout,
    ]

    /// The fixed message of a server failure.
    static func serverFailureMessage(for code: ReactorError.Code) -> String {
        switch code {
        case .storage: "the server's storage failed; the server log has the details"
        case .authUnavailable: "the token verifier is unavailable; the server log has the details"
        case .vaultUnavailable: "the vault is unavailable; the server log has the details"
        default: "internal error; the server log has the details"
        }
    }

    /// The identifiers every client error may name.
    static let identifierDetails: Set<String> = ["documentId", "jobId", "actionId", "operationId", "slug", "scope", "branch", "path", "field"]

    /// The detail keys a client may see for `code`: the request's own identifiers, and per code the facts that
    /// explain it. Anything else (`underlying`, `sqliteMessage`, `postgresDetail`, `constraint`, `file`, `url`, …)
    /// stays in the log.
    public static func publicDetailKeys(for code: ReactorError.Code) -> Set<String> {
        let extra: Set<String> = switch code {
        case .revisionConflict: ["stream", "index", "revision", "expected", "actual"]
        case .operationGap: ["stream", "index", "revision"]
        case .operationMismatch: ["expectedHash", "actualHash", "stored"]
        case .ambiguousIdentifier: ["identifier", "byId", "bySlug"]
        case .unknownDependency: ["key", "dependsOn"]
        case .dependencyCycle: ["keys"]
        case .duplicateKey: ["key"]
        case .dependencyFailed: ["dependencyId"]
        // Time travel's bad points (docs/time-travel.md): which scope, the revision asked and the one there is, the creation.
        case .invalidArgument: ["argument", "limit", "scope", "revision", "currentRevision", "at", "createdAt"]
        case .invalidSignature, .signatureRequired, .signatureVersionUnsupported, .signingDisabled: ["publicKey"]
        case .unknownAction: ["actionType", "documentType"]
        case .unknownDocumentType: ["documentType"]
        case .payloadTooLarge: ["size", "limit"]
        case .tooManyPendingJobs: ["resource", "pending", "limit", "retryAfterSeconds"]
        // The server's own load is not a client's business: only what to retry after.
        case .overloaded: ["retryAfterSeconds"]
        case .tooManyLoginAttempts: ["retryAfterSeconds"]
        case .headersTooLarge, .urlTooLong: ["limit"]
        case .historyTooLong: ["limit"]
        case .mergeTooLarge: ["limit", "rewind"]
        case .remoteNotFound, .remoteExists, .remoteNotRunning: ["remote"]
        case .channelNotFound: ["channelId"]
        case .peerUnavailable, .peerRefused, .syncTimeout: ["remote", "status"]
        case .invalidBlobKey, .blobNotFound: ["bucket", "key"]
        case .bucketNotFound, .bucketExists, .bucketNotEmpty: ["bucket"]
        case .rangeNotSatisfiable: ["size"]
        case .uploadNotFound: ["bucket", "key", "uploadId"]
        case .invalidPart: ["partNumber"]
        case .blobChecksumMismatch: ["expected", "actual", "algorithm"]
        case .storageUnavailable, .vaultUnavailable: ["backend"]
        case .functionFuelExhausted, .functionTimeout, .functionResponseTooLarge: ["function", "limit", "maximum"]
        case .functionMemoryLimit: ["function", "limit", "maximum", "requested"]
        case .functionTrapped: ["function", "trap"]
        case .functionExited: ["function", "exitCode"]
        case .functionBadResponse, .functionInvalidModule, .functionCancelled: ["function"]
        case .functionBusy: ["function", "maxConcurrent", "retryAfterSeconds"]
        case .functionNotFound, .functionNotLive, .functionNoPreviousVersion: ["function"]
        case .functionVersionNotFound: ["function", "version"]
        case .functionRuntimeUnavailable: ["runtime", "enabled"]
        case .modelExists: ["documentType", "version", "digest"]
        case .modelNotFound: ["documentType"]
        case .aiUpstreamUnavailable, .aiUpstreamTimeout: ["provider", "reason", "status", "attempts"]
        case .aiUpstreamRejected: ["provider", "status"]
        case .aiModelNotFound: ["model"]
        case .aiBudgetExceeded: ["limit", "used", "retryAfterSeconds"]
        default: []
        }
        return identifierDetails.union(extra)
    }
}
