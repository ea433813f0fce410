import Foundation
import HTTPTypes
import Hummingbird
import ReactorCore
import ReactorIdentity

/// The identity service over HTTP, under `/auth/v1` (registered only when `auth.service` is on).
///
/// Public: `POST signup`, `POST login`, `POST refresh`, `POST logout`, `GET .well-known/jwks.json`,
/// `GET .well-known/openid-configuration`. With a bearer token (access token or API key): `GET me`,
/// `POST me/password`, `GET|POST apikeys`, `DELETE apikeys/{id}`. With the `admin` role: `GET|POST users`,
/// `GET|PATCH users/{id}`. No answer ever holds a password hash; a refresh token or an API key is shown only in the
/// answer that creates it.
struct IdentityRoutes: Sendable {
    let service: IdentityService
    let auth: any AuthClient
    let limit: Int

    func register(on router: Router<ReactorRequestContext>) {
        let open = router.group("auth/v1")
        open.post("signup", use: signUp)
        open.post("login", use: login)
        open.post("refresh", use: refresh)
        open.post("logout", use: logout)
        open.get(".well-known/jwks.json", use: jwks)
        open.get(".well-known/openid-configuration", use: discovery)

        let user = router.group("auth/v1").add(middleware: AuthMiddleware(auth: auth))
        user.get("me", use: me)
        user.post("me/password", use: changePassword)
        user.get("apikeys", use: listKeys)
        user.post("apikeys", use: createKey)
        user.delete("apikeys/{id}", use: revokeKey)

        let admin = router.group("auth/v1/users").add(
            middleware: AuthMiddleware(auth: auth, requiredRole: IdentityService.adminRole))
        admin.get(use: listUsers)
        admin.post(use: createUser)
        admin.get("{id}", use: getUser)
        admin.patch("{id}", use: updateUser)
    }

    // MARK: Sessions

    @Sendable func signUp(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let body = try await RequestDecoding.decode(SignUpBody.self, from: request, limit: limit)
        let grant = try await service.signUp(email: body.email, password: body.password, displayName: body.displayName)
        return try JSONResponse.make(encoding: grant, status: .created)
    }

    @Sendable func login(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let body = try await RequestDecoding.decode(LoginBody.self, from: request, limit: limit)
        let grant = try await service.login(
            email: body.email, password: body.password, address: context.remoteAddress?.ipAddress)
        return try JSONResponse.make(encoding: grant)
    }

    @Sendable func refresh(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let body = try await RequestDecoding.decode(RefreshBody.self, from: request, limit: limit)
        return try JSONResponse.make(encoding: try await service.refresh(refreshToken: body.refreshToken))
    }

    @Sendable func logout(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let body = try await RequestDecoding.decode(RefreshBody.self, from: request, limit: limit)
        try await service.logout(refreshToken: body.refreshToken)
        return Response(status: .noContent)
    }

    @Sendable func jwks(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        var response = JSONResponse.make(try await service.jwks())
        response.headers[.cacheControl] = "public, max-age=60"
        return response
    }

    @Sendable func discovery(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        JSONResponse.make(service.discovery(baseURL: publicBaseURL(request)))
    }

    /// The server's public URL: the issuer's when it is an `http(s)` URL (without a trailing `/auth/v1`), else
    /// `http://` and the request's `Host`.
    func publicBaseURL(_ request: Request) -> String {
        var issuer = service.configuration.issuer
        if issuer.hasPrefix("http://") || issuer.hasPrefix("https://") {
            while issuer.hasSuffix("/") { issuer.removeLast() }
            if issuer.hasSuffix("/auth/v1") { issuer.removeLast("/auth/v1".count) }
            return issuer
        }
        return "http://" + (request.head.authority ?? "localhost")
    }

    // MARK: The caller

    @Sendable func me(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let user = try await service.user(id: try Self.subject(context))
        return try JSONResponse.make(encoding: ["user": user])
    }

    @Sendable func changePassword(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let body = try await RequestDecoding.decode(PasswordBody.self, from: request, limit: limit)
        try await service.changePassword(
            userID: try Self.subject(context), currentPassword: body.currentPassword, newPassword: body.newPassword)
        return Response(status: .noContent)
    }

    @Sendable func listKeys(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let all = try QueryParameters(request).bool("all")
        let claims = try Self.claims(context)
        if all && !claims.hasRole(IdentityService.adminRole) {
            throw ReactorError(.forbidden, "listing every user's API keys needs the 'admin' role")
        }
        let keys = try await service.apiKeys(userID: all ? nil : claims.subject)
        return try JSONResponse.make(encoding: ["apiKeys": keys])
    }

    @Sendable func createKey(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let body = try await RequestDecoding.decode(CreateAPIKeyBody.self, from: request, limit: limit)
        let created = try await service.createAPIKey(
            userID: try Self.subject(context), name: body.name, roles: body.roles ?? [])
        return try JSONResponse.make(encoding: created, status: .created)
    }

    @Sendable func revokeKey(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let claims = try Self.claims(context)
        let id = try context.parameters.required("id")
        try await service.revokeAPIKey(id: id, ownerID: claims.hasRole(IdentityService.adminRole) ? nil : claims.subject)
        return Response(status: .noContent)
    }

    // MARK: Admin

    @Sendable func listUsers(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try JSONResponse.make(encoding: ["users": try await service.users()])
    }

    @Sendable func createUser(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let body = try await RequestDecoding.decode(CreateUserBody.self, from: request, limit: limit)
        let user = try await service.createUser(
            email: body.email, password: body.password, displayName: body.displayName, roles: body.roles ?? [])
        return try JSONResponse.make(encoding: ["user": user], status: .created)
    }

    @Sendable func getUser(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try JSONResponse.make(encoding: try await service.user(id: try context.parameters.required("id")))
    }

    @Sendable func updateUser(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let id = try context.parameters.required("id")
        let body = try await RequestDecoding.decode(UpdateUserBody.self, from: request, limit: limit)
        var user = try await service.user(id: id)
        if let roles = body.roles { user = try await service.setRoles(userID: id, roles) }
        if let disabled = body.disabled { user = try await service.setDisabled(userID: id, disabled) }
        return try JSONResponse.make(encoding: ["user": user])
    }

    // MARK: Helpers

    static func claims(_ context: ReactorRequestContext) throws -> AuthClaims {
        guard let claims = context.claims else { throw ReactorError(.unauthenticated, "a bearer token is required") }
        return claims
    }

    static func subject(_ context: ReactorRequestContext) throws -> String { try claims(context).subject }
}

/// `POST /auth/v1/signup`.
struct SignUpBody: Decodable {
    var email: String
    var password: String
    var displayName: String?
}

/// `POST /auth/v1/login`.
struct LoginBody: Decodable {
    var email: String
    var password: String
}

/// `POST /auth/v1/refresh` and `POST /auth/v1/logout`.
struct RefreshBody: Decodable {
    var refreshToken: String
}

/// `POST /auth/v1/me/password`.
struct PasswordBody: Decodable {
    var currentPassword: String
    var newPassword: String
}

/// `POST /auth/v1/apikeys`.
struct CreateAPIKeyBody: Decodable {
    var name: String
    var roles: [String]?
}

/// `POST /auth/v1/users`.
struct CreateUserBody: Decodable {
    var email: String
    var password: String
    var displayName: String?
    var roles: [String]?
}

/// `PATCH /auth/v1/users/{id}`.
struct UpdateUserBody: Decodable {
    var disabled: Bool?
    var roles: [String]?
}
