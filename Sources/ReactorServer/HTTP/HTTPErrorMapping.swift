import HTTPTypes
import ReactorCore

/// The one place where a ``ReactorError/Code`` becomes an HTTP status.
///
/// Bad input is always a 4xx; a 5xx means the server (or a backend it needs) failed.
public enum HTTPErrorMapping {
    /// The HTTP status for `error`.
    public static func status(for error: ReactorError) -> HTTPResponse.Status {
        switch error.code {
        case .documentNotFound, .jobNotFound, .secretNotFound, .notFound, .unsupported:
            return .notFound
        case .documentDeleted:
            return .gone
        case .documentExists, .slugTaken, .revisionConflict, .operationMismatch, .operationGap, .ambiguousIdentifier:
            return .conflict
        case .unknownDocumentType, .unknownAction, .unknownScope, .invalidInput, .missingActionID, .invalidArgument,
            .badRequest, .unknownDependency, .dependencyCycle, .duplicateKey, .historyError:
            return .badRequest
        case .dependencyFailed:
            return HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")
        case .signatureRequired, .invalidSignature, .signatureVersionUnsupported, .forbidden:
            return .forbidden
        case .unauthenticated, .tokenMalformed, .tokenExpired, .tokenSignature, .tokenAudience, .tokenIssuer:
            return .unauthorized
        case .payloadTooLarge:
            return .contentTooLarge
        case .methodNotAllowed:
            return .methodNotAllowed
        case .consistencyTimeout, .jobTimeout:
            return .gatewayTimeout
        case .shutdown, .authUnavailable, .schemaNotMigrated:
            return .serviceUnavailable
        case .storage:
            return error.isTransient ? .serviceUnavailable : .internalServerError
        default:
            return .internalServerError
        }
    }

    /// The JSON body of an error response: `{"error": {"code", "message", "path"?, "details"?}}`.
    public static func body(for error: ReactorError, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
        var details = error.details
        if let path = details.removeValue(forKey: "path") { object["path"] = .string(path) }
        if !details.isEmpty { object["details"] = .object(details.mapValues { .string($0) }) }
        var body = extra
        body["error"] = .object(object)
        return .object(body)
    }
}
