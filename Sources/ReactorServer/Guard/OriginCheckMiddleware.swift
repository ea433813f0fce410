import HTTPTypes
import Hummingbird
import ReactorCore

/// Refuses requests from web pages the server does not trust (403 `ORIGIN_NOT_ALLOWED`): any request whose `Origin`
/// header is neither the server's own origin nor allowed by `server.allowed_origins` (this covers cross-site
/// WebSocket upgrades, which browsers do not subject to CORS), and a state-changing request marked
/// `Sec-Fetch-Site: cross-site` that carries no `Origin`. Requests without either header (curl, other servers) pass.
/// `/health` is answered whatever the origin.
struct OriginCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: OriginPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path != SystemRoutes.healthPath {
            if let origin = request.headers[.origin] {
                guard policy.allows(origin: origin, authority: request.head.authority) else {
                    throw ReactorError(
                        .originNotAllowed,
                        "requests from web pages at \(origin) are refused; if that site is yours, add it to server.allowed_origins",
                        details: ["origin": origin])
                }
            } else if request.method.isStateChanging, request.headers[Self.secFetchSite]?.lowercased() == "cross-site" {
                throw ReactorError(.originNotAllowed, "a cross-site \(request.method) from a web page is refused")
            }
        }
        return try await next(request, context)
    }

    /// `Sec-Fetch-Site`: where a browser says the request comes from (`same-origin`, `same-site`, `cross-site`, `none`).
    static var secFetchSite: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }
}
