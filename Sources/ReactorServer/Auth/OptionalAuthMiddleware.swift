import Hummingbird
import ReactorCore

/// Verifies a bearer token when the request carries one (an invalid one is 401, as with ``AuthMiddleware``) and puts
/// its claims on the context; a request without a token passes with no claims, and the route decides (public
/// buckets and signed URLs need none).
struct OptionalAuthMiddleware: RouterMiddleware {
    typealias Context = ReactorRequestContext
    let auth: any AuthClient

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] != nil else { return try await next(request, context) }
        guard let token = AuthMiddleware.token(in: request) else {
            throw ReactorError(.unauthenticated, "the Authorization header must be 'Bearer <token>'")
        }
        var context = context
        context.claims = try await auth.verify(token: token)
        return try await next(request, context)
    }
}
