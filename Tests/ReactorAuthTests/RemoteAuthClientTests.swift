import Foundation
import Hummingbird
import ReactorAuth
import ReactorCore
import Synchronization
import Testing

@Suite("RemoteAuthClient against a real server", .timeLimit(.minutes(3)))
struct RemoteAuthClientTests {
    /// A Reactor-like server: `GET /reactor/v1/auth/me` verifies the bearer token with a ``JWTAuthClient`` and
    /// answers `{"claims": …}` or `{"error": {"code", "message"}}` (401 for token errors, 403 for subject
    /// `mallory`, 503 when the verifier is unavailable). `/broken/reactor/v1/auth/me` always answers 500 and
    /// `/slow/reactor/v1/auth/me` answers after a second.
    final class AuthServer: Sendable {
        let verifier: JWTAuthClient
        let requests = Mutex(0)

        init(verifier: JWTAuthClient) { self.verifier = verifier }

        static func errorBody(_ error: ReactorError) -> String {
            let object = ["error": ["code": error.code.rawValue, "message": error.message]]
            return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }

        func me(_ request: Request) async -> Response {
            requests.withLock { $0 += 1 }
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
                let error = ReactorError(.unauthenticated, "no bearer token")
                return jsonResponse(.unauthorized, Self.errorBody(error))
            }
            do {
                let claims = try await verifier.verify(token: String(header.dropFirst("Bearer ".count)))
                if claims.subject == "mallory" {
                    return jsonResponse(.forbidden, Self.errorBody(ReactorError(.forbidden, "mallory may not")))
                }
                let body = try JSONEncoder().encode(AuthMeResponse(claims: claims))
                return jsonResponse(.ok, String(decoding: body, as: UTF8.self))
            } catch let error as ReactorError {
                let status: HTTPResponse.Status = error.code == .authUnavailable ? .serviceUnavailable : .unauthorized
                return jsonResponse(status, Self.errorBody(error))
            } catch {
                return jsonResponse(.internalServerError, Self.errorBody(ReactorError(.internal, "\(error)")))
            }
        }

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.get("/reactor/v1/auth/me") { request, _ in await self.me(request) }
            router.get("/broken/reactor/v1/auth/me") { _, _ in
                jsonResponse(.internalServerError, Self.errorBody(ReactorError(.storage, "disk on fire")))
            }
            router.get("/slow/reactor/v1/auth/me") { request, _ in
                try? await Task.sleep(for: .seconds(1))
                return await self.me(request)
            }
            router.get("/teapot/reactor/v1/auth/me") { _, _ in jsonResponse(.init(code: 418), "{}") }
            router.get("/html/reactor/v1/auth/me") { _, _ in jsonResponse(.ok, "<html>") }
            return router
        }
    }

    static let issuer = try! TokenIssuer(hmacSecret: testSecret, keyID: "main")

    static func server() async throws -> AuthServer {
        AuthServer(
            verifier: try await JWTAuthClient(
                configuration: JWTAuthConfiguration(hmacSecrets: [testSecret], issuer: "reactor-a", audience: "reactor")
            ))
    }

    static func token(
        subject: String = "alice", audience: [String] = ["reactor"], ttl: TimeInterval = 600, issuedAt: Date = Date()
    ) async throws -> String {
        try await issuer.issue(
            subject: subject, issuer: "reactor-a", audience: audience, ttl: ttl, roles: ["editor"], issuedAt: issuedAt)
    }

    @Test("200 → the claims the remote verifier produced")
    func success() async throws {
        let server = try await Self.server()
        try await withTestServer(server.router) { baseURL in
            let client = try RemoteAuthClient(baseURL: baseURL)
            let token = try await Self.token()
            let expected = try await server.verifier.verify(token: token)
            #expect(try await client.verify(token: token) == expected)
            #expect(expected.roles == ["editor"])
            #expect(expected.expiresAt != nil)
        }
    }

    @Test("401 and 403 pass the remote code and message through")
    func rejections() async throws {
        let server = try await Self.server()
        try await withTestServer(server.router) { baseURL in
            let client = try RemoteAuthClient(baseURL: baseURL)
            let cases: [(String, ReactorError.Code)] = [
                (try await Self.token(issuedAt: Date().addingTimeInterval(-7200)), .tokenExpired),
                (try await Self.token(audience: ["elsewhere"]), .tokenAudience),
                (
                    try await TokenIssuer(hmacSecret: TokenIssuer.generateHMACSecret()).issue(subject: "x"),
                    .tokenSignature
                ),
                ("not-a-token", .tokenMalformed),
                (try await Self.token(subject: "mallory"), .forbidden),
            ]
            for (token, code) in cases {
                let remote = await reactorError { try await client.verify(token: token) }
                #expect(remote?.code == code)
                #expect(remote?.isTransient == false)
                if code == .forbidden {
                    #expect(remote?.message == "mallory may not")
                } else {
                    let local = await reactorError { try await server.verifier.verify(token: token) }
                    #expect(remote?.message == local?.message)
                }
            }
        }
    }

    @Test("5xx, odd answers, timeouts and a server that is down → AUTH_UNAVAILABLE")
    func unavailable() async throws {
        let server = try await Self.server()
        let token = try await Self.token()
        try await withTestServer(server.router) { baseURL in
            let broken = await reactorError {
                try await RemoteAuthClient(baseURL: baseURL + "/broken").verify(token: token)
            }
            #expect(broken?.code == .authUnavailable)
            #expect(broken?.isTransient == true)
            #expect(broken?.message.contains("500") == true)

            let slow = await reactorError {
                try await RemoteAuthClient(baseURL: baseURL + "/slow", timeout: 0.2).verify(token: token)
            }
            #expect(slow?.code == .authUnavailable)
            #expect(slow?.isTransient == true)

            for prefix in ["/teapot", "/html", "/nowhere"] {
                let error = await reactorError {
                    try await RemoteAuthClient(baseURL: baseURL + prefix).verify(token: token)
                }
                #expect(error?.code == .authUnavailable, "\(prefix)")
            }
        }
        let closed = closedPortBaseURL()
        let down = await reactorError { try await RemoteAuthClient(baseURL: closed, timeout: 1).verify(token: token) }
        #expect(down?.code == .authUnavailable)
        #expect(down?.isTransient == true)
    }

    @Test("bad token text is rejected locally without a request")
    func localChecks() async throws {
        let server = try await Self.server()
        try await withTestServer(server.router) { baseURL in
            let client = try RemoteAuthClient(baseURL: baseURL)
            for token in ["", "a b", "line\nbreak", String(repeating: "x", count: 100_000)] {
                #expect(await reactorError { try await client.verify(token: token) }?.code == .tokenMalformed)
            }
            #expect(server.requests.withLock { $0 } == 0)
        }
    }

    @Test("positive answers are cached until min(exp, ttl); rejections are not cached; the cache is bounded")
    func cache() async throws {
        let server = try await Self.server()
        let clock = TestClock()
        try await withTestServer(server.router) { baseURL in
            let client = try RemoteAuthClient(baseURL: baseURL, cacheTTL: 60, cacheCapacity: 2, now: clock.function)
            func hits() -> Int { server.requests.withLock { $0 } }

            let token = try await Self.token(ttl: 3600)
            let first = try await client.verify(token: token)
            #expect(try await client.verify(token: token) == first)
            #expect(hits() == 1)
            clock.advance(61)
            _ = try await client.verify(token: token)
            #expect(hits() == 2)

            // A token expiring before the cache ttl is cached only until its exp.
            let shortLived = try await Self.token(ttl: 10, issuedAt: clock.now)
            _ = try await client.verify(token: shortLived)
            _ = try await client.verify(token: shortLived)
            #expect(hits() == 3)
            clock.advance(11)
            // (The server checks exp against the real clock, so it still accepts the token: only the cache moved on.)
            _ = try await client.verify(token: shortLived)
            #expect(hits() == 4)

            let rejected = try await Self.token(audience: ["elsewhere"])
            _ = await reactorError { try await client.verify(token: rejected) }
            _ = await reactorError { try await client.verify(token: rejected) }
            #expect(hits() == 6)

            // Capacity 2: the entry that expires soonest is dropped for a third.
            let small = try RemoteAuthClient(baseURL: baseURL, cacheTTL: 60, cacheCapacity: 2, now: clock.function)
            let a = try await Self.token(subject: "a", ttl: 20, issuedAt: clock.now)
            let b = try await Self.token(subject: "b", ttl: 40, issuedAt: clock.now)
            let c = try await Self.token(subject: "c", ttl: 50, issuedAt: clock.now)
            for token in [a, b, c] { _ = try await small.verify(token: token) }
            #expect(hits() == 9)
            _ = try await small.verify(token: c)
            _ = try await small.verify(token: b)
            #expect(hits() == 9)
            _ = try await small.verify(token: a)
            #expect(hits() == 10)
        }
    }
}
