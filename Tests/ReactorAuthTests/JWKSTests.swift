import Foundation
import Hummingbird
import ReactorAuth
import ReactorCore
import Synchronization
import Testing

@Suite("JSON Web Key Sets", .timeLimit(.minutes(3)))
struct JWKSTests {
    /// Three key pairs of three algorithms, published under kids r1, e1, d1.
    struct KeySet {
        let rsa: (privatePEM: String, publicPEM: String)
        let ec: (privatePEM: String, publicPEM: String)
        let ed: (privatePEM: String, publicPEM: String)

        init() throws {
            rsa = try TestKeys.rsa()
            ec = TestKeys.p256()
            ed = try TestKeys.ed25519()
        }

        func jwks(alg: Bool = true) throws -> String {
            try TestKeys.jwks([
                TestKeys.jwk(publicPEM: rsa.publicPEM, kid: "r1", alg: alg ? "RS256" : nil),
                TestKeys.jwk(publicPEM: ec.publicPEM, kid: "e1", alg: alg ? "ES256" : nil),
                TestKeys.jwk(publicPEM: ed.publicPEM, kid: "d1", alg: alg ? "EdDSA" : nil),
            ])
        }
    }

    @Test("keys from JWKS text are chosen by kid", arguments: [true, false])
    func jwksText(withAlg: Bool) async throws {
        let keys = try KeySet()
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(jwks: try keys.jwks(alg: withAlg)))
        for (pem, kid) in [(keys.rsa.privatePEM, "r1"), (keys.ec.privatePEM, "e1"), (keys.ed.privatePEM, "d1")] {
            let token = try await TokenIssuer(privateKeyPEM: pem, keyID: kid).issue(subject: "user-\(kid)")
            #expect(try await client.verify(token: token).subject == "user-\(kid)")
            // No kid: every key of the token's alg is tried.
            let noKid = try await TokenIssuer(privateKeyPEM: pem).issue(subject: "anon")
            #expect(try await client.verify(token: noKid).subject == "anon")
        }
    }

    @Test("a kid naming another key, an unknown kid, or a kid with the wrong alg → TOKEN_SIGNATURE_INVALID")
    func kidMismatch() async throws {
        let keys = try KeySet()
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(jwks: try keys.jwks()))
        let otherEC = TestKeys.p256()
        let cases: [(String, String)] = [
            (otherEC.privatePEM, "e1"),  // right kid and alg, wrong key
            (keys.ec.privatePEM, "zz"),  // unknown kid
            (keys.ec.privatePEM, "r1"),  // kid of an RSA key on an ES256 token
        ]
        for (pem, kid) in cases {
            let token = try await TokenIssuer(privateKeyPEM: pem, keyID: kid).issue(subject: "x")
            let error = await reactorError { try await client.verify(token: token) }
            #expect(error?.code == .tokenSignature, "kid \(kid)")
        }
    }

    @Test("encryption keys and unsupported key types are skipped")
    func skipsUnusableKeys() async throws {
        let keys = try KeySet()
        var encryption = try TestKeys.jwk(publicPEM: keys.rsa.publicPEM, kid: "enc")
        encryption["use"] = "enc"
        let jwks = try TestKeys.jwks([
            encryption,
            ["kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", "kid": "sym"],
            ["kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA", "kid": "broken"],
            try TestKeys.jwk(publicPEM: keys.ed.publicPEM, kid: "d1"),
        ])
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(jwks: jwks))
        let good = try await TokenIssuer(privateKeyPEM: keys.ed.privatePEM, keyID: "d1").issue(subject: "ok")
        #expect(try await client.verify(token: good).subject == "ok")
        let viaEncryptionKey = try await TokenIssuer(privateKeyPEM: keys.rsa.privatePEM, keyID: "enc").issue(
            subject: "no")
        #expect(await reactorError { try await client.verify(token: viaEncryptionKey) }?.code == .tokenSignature)
    }

    /// A JWKS endpoint whose document can be replaced, counting requests.
    final class JWKSEndpoint: Sendable {
        let document: Mutex<String>
        let requests = Mutex(0)
        let failing = Mutex(false)

        init(_ document: String) { self.document = Mutex(document) }

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.get("/.well-known/jwks.json") { _, _ -> Response in
                self.requests.withLock { $0 += 1 }
                if self.failing.withLock({ $0 }) { return jsonResponse(.internalServerError, #"{"error":"down"}"#) }
                return jsonResponse(.ok, self.document.withLock { $0 })
            }
            router.get("/garbage") { _, _ -> Response in jsonResponse(.ok, "<html>") }
            return router
        }
    }

    @Test("keys fetched over HTTP; an unknown kid refetches, at most once per interval")
    func jwksURLRefresh() async throws {
        let first = TestKeys.p256()
        let second = try TestKeys.ed25519()
        let endpoint = JWKSEndpoint(try TestKeys.jwks([TestKeys.jwk(publicPEM: first.publicPEM, kid: "k1")]))
        let clock = TestClock()
        try await withTestServer(endpoint.router) { baseURL in
            let client = try await JWTAuthClient(
                configuration: JWTAuthConfiguration(
                    jwksURL: baseURL + "/.well-known/jwks.json", jwksMinimumRefreshInterval: 30),
                now: clock.function)
            #expect(await client.jwksFetchCount() == 0)

            let token1 = try await TokenIssuer(privateKeyPEM: first.privatePEM, keyID: "k1").issue(subject: "one")
            #expect(try await client.verify(token: token1).subject == "one")
            #expect(try await client.verify(token: token1).subject == "one")
            #expect(await client.jwksFetchCount() == 1)
            #expect(endpoint.requests.withLock { $0 } == 1)

            // The issuer rotates: k2 is published.
            endpoint.document.withLock {
                $0 = try! TestKeys.jwks([
                    TestKeys.jwk(publicPEM: first.publicPEM, kid: "k1"),
                    TestKeys.jwk(publicPEM: second.publicPEM, kid: "k2"),
                ])
            }
            let token2 = try await TokenIssuer(privateKeyPEM: second.privatePEM, keyID: "k2").issue(subject: "two")
            // Too soon after the first fetch: no refetch, the kid is unknown.
            #expect(await reactorError { try await client.verify(token: token2) }?.code == .tokenSignature)
            #expect(endpoint.requests.withLock { $0 } == 1)

            clock.advance(31)
            #expect(try await client.verify(token: token2).subject == "two")
            #expect(endpoint.requests.withLock { $0 } == 2)

            // An unknown kid right after: rate limited, no request.
            let stranger = try await TokenIssuer(privateKeyPEM: TestKeys.p256().privatePEM, keyID: "k9").issue(
                subject: "x")
            #expect(await reactorError { try await client.verify(token: stranger) }?.code == .tokenSignature)
            #expect(endpoint.requests.withLock { $0 } == 2)

            // Many concurrent unknown kids after the interval: one fetch.
            clock.advance(31)
            await withTaskGroup(of: ReactorError.Code?.self) { group in
                for _ in 0..<20 {
                    group.addTask { (try? await client.verify(token: stranger)) == nil ? .tokenSignature : nil }
                }
                for await code in group { #expect(code == .tokenSignature) }
            }
            #expect(endpoint.requests.withLock { $0 } == 3)
            #expect(await client.jwksFetchCount() == 3)
            #expect(try await client.verify(token: token1).subject == "one")
        }
    }

    @Test("stale keys are refetched; if that fails the old keys still verify")
    func staleKeys() async throws {
        let pair = TestKeys.p256()
        let endpoint = JWKSEndpoint(try TestKeys.jwks([TestKeys.jwk(publicPEM: pair.publicPEM, kid: "k1")]))
        let clock = TestClock()
        try await withTestServer(endpoint.router) { baseURL in
            let client = try await JWTAuthClient(
                configuration: JWTAuthConfiguration(
                    jwksURL: baseURL + "/.well-known/jwks.json", jwksMinimumRefreshInterval: 10, jwksMaximumAge: 100),
                now: clock.function)
            try await client.refreshKeys()
            let token = try await TokenIssuer(privateKeyPEM: pair.privatePEM, keyID: "k1").issue(
                subject: "s", ttl: 10_000, issuedAt: clock.now)
            #expect(try await client.verify(token: token).subject == "s")
            #expect(endpoint.requests.withLock { $0 } == 1)
            clock.advance(101)
            endpoint.failing.withLock { $0 = true }
            #expect(try await client.verify(token: token).subject == "s")
            #expect(endpoint.requests.withLock { $0 } == 2)
            let error = await reactorError { try await client.refreshKeys() }
            #expect(error?.code == .authUnavailable)
        }
    }

    @Test("an unreachable, failing or garbage JWKS → AUTH_UNAVAILABLE")
    func unavailable() async throws {
        let pair = TestKeys.p256()
        let token = try await TokenIssuer(privateKeyPEM: pair.privatePEM, keyID: "k1").issue(subject: "x")
        let endpoint = JWKSEndpoint("")
        endpoint.failing.withLock { $0 = true }
        let closed = closedPortBaseURL()
        let unreachable = try await JWTAuthClient(
            configuration: JWTAuthConfiguration(jwksURL: closed + "/jwks", jwksTimeout: 1))
        let error = await reactorError { try await unreachable.verify(token: token) }
        #expect(error?.code == .authUnavailable)
        #expect(error?.isTransient == true)

        try await withTestServer(endpoint.router) { baseURL in
            for path in ["/.well-known/jwks.json", "/garbage", "/missing"] {
                let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(jwksURL: baseURL + path))
                let error = await reactorError { try await client.verify(token: token) }
                #expect(error?.code == .authUnavailable, "\(path)")
            }
        }
    }

    @Test("static keys keep working while the JWKS URL is down")
    func staticKeysWithBrokenJWKS() async throws {
        let closed = closedPortBaseURL()
        let client = try await JWTAuthClient(
            configuration: JWTAuthConfiguration(hmacSecrets: [testSecret], jwksURL: closed + "/jwks", jwksTimeout: 1))
        let started = ContinuousClock.now
        for kid in [nil, "local-1"] {
            let token = try await TokenIssuer(hmacSecret: testSecret, keyID: kid).issue(subject: "local")
            #expect(try await client.verify(token: token).subject == "local")
        }
        // Configured keys are tried before the JWKS URL, so nothing waited for it.
        #expect(ContinuousClock.now - started < .milliseconds(500))
        #expect(await client.jwksFetchCount() == 0)
        // A token only the JWKS could verify: the fetch fails → AUTH_UNAVAILABLE.
        let foreign = try await TokenIssuer(privateKeyPEM: TestKeys.p256().privatePEM, keyID: "remote").issue(
            subject: "x")
        #expect(await reactorError { try await client.verify(token: foreign) }?.code == .authUnavailable)
    }
}
