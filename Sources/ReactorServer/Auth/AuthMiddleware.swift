import Hummingbird
import ReactorCore

/// Requires a valid bearer token (`Authorization: Bearer …`) and puts its claims on the context.
///
/// The two subscription routes (exactly `/reactor/v1/subscriptions/events` and `/ws`, ``SubscriptionRoutes/paths``)
/// also accept the token as `?access_token=`, because browsers' `EventSource` and `WebSocket` cannot set headers; no
/// other path does. Failures are 401 with the `AuthClient`'s code (`UNAUTHENTICATED`, `TOKEN_EXPIRED`, …).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ReactorRequestContext
    let auth: any AuthClient
    /// When set, the token must carry this role (the admin routes require `admin`).
    var requiredRole: String?
    /// Whether reads of single documents may come without a token (document permissions on: a document granted to
    /// `anyone` is public); see ``allowsAnonymous(_:)``.
    var anonymousDocumentReads = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.token(in: request) else {
            if anonymousDocumentReads, Self.allowsAnonymous(request) { return try await next(request, context) }
            throw ReactorError(.unauthenticated, "this call needs a bearer token (Authorization: Bearer <token>)")
        }
        let claims = try await auth.verify(token: token)
        if let requiredRole, !claims.roles.contains(requiredRole) {
            throw ReactorError(.forbidden, "this call needs the '\(requiredRole)' role")
        }
        var context = context
        context.claims = claims
        return try await next(request, context)
    }

    /// `GET /reactor/v1/documents/{id}` and its `/operations`, `/children`, `/parents` and `/relationships`: the reads
    /// that may come without a token (and then see only documents granted to `anyone`).
    static func allowsAnonymous(_ request: Request) -> Bool {
        guard request.method == .get else { return false }
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "reactor", "v1", "documents", id [, sub]
        guard parts.count == 5 || parts.count == 6, parts[0].isEmpty, parts[1] == "reactor", parts[2] == "v1",
              parts[3] == "documents", !parts[4].isEmpty else { return false }
        return parts.count == 5 || ["operations", "children", "parents", "relationships"].contains(parts[5])
    }

    static func token(in request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty ? nil : token
            }
            return nil
        }
        if SubscriptionRoutes.paths.contains(request.uri.path), let token = request.uri.queryParameters.get("access_token"), !token.isEmpty {
            return token
        }
        return nil
    }
}
