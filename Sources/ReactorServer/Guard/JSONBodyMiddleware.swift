import Foundation
import Hummingbird
import ReactorCore

/// Requires `Content-Type: application/json` (parameters such as `charset` allowed) on every state-changing request
/// that carries a body; anything else is 415 `UNSUPPORTED_MEDIA_TYPE`. A web page can send `text/plain`,
/// form-encoded or multipart bodies to any server without a CORS preflight; a JSON body needs one, which
/// ``CORSPolicyMiddleware`` grants only to allowed origins. Requests without a body (`POST /_admin/migrate`) pass, and
/// so do `PUT`s under `/storage/v1/` (object uploads carry any media type; a `PUT` always needs a preflight), function
/// invocations under `/functions/v1/` (a function reads whatever its callers send: webhooks post forms), module
/// uploads to `/_admin/functions/<name>/versions` (`application/wasm`; `/_admin` takes bearer tokens only, which a
/// page cannot send without a preflight) and model uploads to `POST /reactor/v1/models` as `application/wasm` (not a
/// CORS-safelisted type either).
struct JSONBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method.isStateChanging, Self.hasBody(request), !Self.isJSON(request.headers[.contentType]), !Self.isObjectUpload(request),
           !Self.isFunctionBody(request), !Self.isModuleUpload(request) {
            let given = request.headers[.contentType].map { "Content-Type: \($0)" } ?? "no Content-Type"
            throw ReactorError(.unsupportedMediaType,
                               "the body of a \(request.method) must be JSON, sent with Content-Type: application/json (got \(given))")
        }
        return try await next(request, context)
    }

    /// Whether the request uploads an object's bytes (`PUT /storage/v1/…`).
    static func isObjectUpload(_ request: Request) -> Bool {
        request.method == .put && request.uri.path.hasPrefix(StorageRoutes.prefix + "/")
    }

    /// Whether the request invokes a function or uploads a function's module.
    static func isFunctionBody(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasPrefix(FunctionRoutes.invocationPrefix + "/") { return true }
        return request.method == .post && path.hasPrefix(FunctionRoutes.adminPrefix + "/") && path.hasSuffix("/versions")
    }

    /// Whether the request registers a model by uploading its module (`POST /reactor/v1/models` with
    /// `Content-Type: application/wasm`, a type that needs a CORS preflight like JSON).
    static func isModuleUpload(_ request: Request) -> Bool {
        guard request.method == .post, request.uri.path == ModelRoutes.prefix, let contentType = request.headers[.contentType] else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == ModelRoutes.wasmMediaType
    }

    /// Whether the request carries a body: a chunked one, or a `Content-Length` other than 0.
    static func hasBody(_ request: Request) -> Bool {
        if request.headers[.transferEncoding] != nil { return true }
        guard let length = request.headers[.contentLength] else { return false }
        return Int(length.trimmingCharacters(in: .whitespaces)) != 0
    }

    /// Whether `contentType` is `application/json`, with or without parameters.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
