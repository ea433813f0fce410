import Hummingbird
import ReactorCore
import ReactorVault

/// Guards `/_admin`: every call needs a credential, from loopback too. Two are accepted, both as
/// `Authorization: Bearer <token>` (never as a query parameter):
///
/// - the local admin token (``AdminToken``, the file `server.admin_token_file`), only on a connection whose peer
///   address is this machine's loopback interface (``ReactorRequestContext/isFromLoopback``: the socket's remote
///   address, never the `Host` header or the bind name); compared in constant time;
/// - with `[auth]` on, a verified bearer token carrying the `admin` role (as ``AuthMiddleware`` checks it: a
///   verified token without the role is 403).
///
/// Anything else is 401 `UNAUTHENTICATED` (or the token verifier's code, `TOKEN_EXPIRED` …); no answer says anything
/// about the local token's value, and a caller that is not on loopback learns nothing about it at all (its header is
/// never compared with the local token).
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = ReactorRequestContext
    /// The bearer-token verifier of `[auth]`, when it is on.
    let auth: (any AuthClient)?
    /// The local admin token, unless `server.admin_token_file = "none"`.
    let localToken: AdminToken?

    /// The subject put on the context of a call made with the local admin token.
    static let localSubject = "local-admin"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = Self.bearerHeader(in: request) else {
            throw ReactorError(.unauthenticated, Self.missingMessage(auth: auth != nil, localToken: localToken != nil))
        }
        if let localToken, context.isFromLoopback, localToken.matches(presented) {
            var context = context
            context.claims = AuthClaims(subject: Self.localSubject, roles: ["admin"])
            return try await next(request, context)
        }
        if let auth {
            return try await AuthMiddleware(auth: auth, requiredRole: "admin").handle(request, context: context, next: next)
        }
        throw ReactorError(
            .unauthenticated,
            localToken == nil
                ? Self.missingMessage(auth: false, localToken: false)
                : "the admin credential is not valid (the local admin token is accepted from this machine only)")
    }

    /// The token of an `Authorization: Bearer <token>` header; nil without one (or with another scheme).
    static func bearerHeader(in request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// What a call without a credential is told: which credentials this server takes, never their values.
    static func missingMessage(auth: Bool, localToken: Bool) -> String {
        var ways: [String] = []
        if localToken { ways.append("the local admin token (from this machine; `reactor token admin` prints it)") }
        if auth { ways.append("a bearer token with the 'admin' role") }
        guard !ways.isEmpty else {
            return "this server accepts no admin credential: server.admin_token_file is \"none\" and [auth] is off"
        }
        return "this call needs an admin credential: Authorization: Bearer <token> with " + ways.joined(separator: " or ")
    }
}
