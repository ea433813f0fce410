import ReactorCore

/// The ``AuthClient`` of a server that runs the identity service itself: it calls ``IdentityService`` directly, with
/// no HTTP and no round trip over loopback. The default when `auth.service` is on.
public struct InProcessAuthClient: AuthClient {
    /// The service it asks.
    public let service: IdentityService

    /// A client of `service`.
    public init(service: IdentityService) { self.service = service }

    /// Verifies an access token (JWT) or an API key (see ``IdentityService/verify(token:)``).
    public func verify(token: String) async throws -> AuthClaims {
        try await service.verify(token: token)
    }

    /// The user `id`; `USER_NOT_FOUND` when there is none.
    public func user(id: String) async throws -> AuthUser {
        try await service.user(id: id)
    }
}
