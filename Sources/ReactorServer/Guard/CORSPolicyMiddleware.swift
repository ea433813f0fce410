import Hummingbird

/// Cross-Origin Resource Sharing for the origins ``OriginPolicy`` allows (`server.allowed_origins`, the server's own):
/// it answers their preflight `OPTIONS` requests (204 with `Access-Control-Allow-Origin` echoing the origin, the
/// methods, the headers `authorization` and `content-type`, `Access-Control-Max-Age` and `Vary: Origin`) and adds
/// `Access-Control-Allow-Origin` and `Vary: Origin` to their other responses, errors included. Requests from other
/// origins pass untouched (``OriginCheckMiddleware`` refuses them) and get no CORS header. No credentials (cookies)
/// are allowed: Reactor authenticates with bearer tokens.
///
/// Hummingbird's `CORSMiddleware` is not used: it answers every preflight, whatever the origin, and takes its list
/// of origins only as variadic arguments.
struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: OriginPolicy

    /// The methods of Reactor's routes.
    static var allowedMethods: String { "GET, HEAD, POST, PUT, PATCH, DELETE" }
    /// The request headers a page may set.
    static var allowedHeaders: String { "authorization, content-type" }
    /// How long a browser may cache a preflight answer, in seconds.
    static var maxAgeSeconds: Int { 600 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], policy.allows(origin: origin, authority: request.head.authority) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [
                .accessControlAllowOrigin: origin,
                .accessControlAllowMethods: Self.allowedMethods,
                .accessControlAllowHeaders: Self.allowedHeaders,
                .accessControlMaxAge: String(Self.maxAgeSeconds),
            ]
            headers[values: .vary].append("Origin")
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[values: .vary].append("Origin")
        return response
    }
}
