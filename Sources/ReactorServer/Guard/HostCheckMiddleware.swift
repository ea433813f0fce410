import Hummingbird
import ReactorCore

/// Refuses a request whose `Host` header names no host the server answers for (421 `HOST_NOT_ALLOWED`), so that a
/// web page whose own name resolves to this server (DNS rebinding) cannot call it. `/health` is answered whatever
/// the `Host`: load balancers check it by IP address.
///
/// It answers the refusal itself instead of throwing, so that it can sit outside ``CORSPolicyMiddleware`` and
/// ``ErrorMiddleware``: a refused request gets neither CORS headers nor any other treatment.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: HostPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.head.authority
        guard policy.allows(host) || request.uri.path == SystemRoutes.healthPath else {
            let shown = host.map { "'\($0)'" } ?? "(none)"
            return JSONResponse.error(ReactorError(
                .hostNotAllowed,
                "the Host header \(shown) names no host this server answers for; if it is yours, add it to server.allowed_hosts",
                details: ["host": host ?? ""]))
        }
        return try await next(request, context)
    }
}
