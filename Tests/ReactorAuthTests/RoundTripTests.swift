import Foundation
import JWTKit
import ReactorAuth
import ReactorCore
import Testing

@Suite("Issue and verify round trips", .timeLimit(.minutes(3)))
struct RoundTripTests {
    /// An issuer and the matching configuration for `algorithm`, with keys generated now.
    static func setup(_ algorithm: TokenSigningAlgorithm, kid: String? = nil) throws -> (
        TokenIssuer, JWTAuthConfiguration
    ) {
        switch algorithm {
        case .hs256:
            let secret = TokenIssuer.generateHMACSecret()
            return (try TokenIssuer(hmacSecret: secret, keyID: kid), JWTAuthConfiguration(hmacSecrets: [secret]))
        case .rs256:
            let pair = try TestKeys.rsa()
            return (
                try TokenIssuer(privateKeyPEM: pair.privatePEM, keyID: kid),
                JWTAuthConfiguration(publicKeysPEM: [pair.publicPEM])
            )
        case .es256:
            let pair = TestKeys.p256()
            return (
                try TokenIssuer(privateKeyPEM: pair.privatePEM, keyID: kid),
                JWTAuthConfiguration(publicKeysPEM: [pair.publicPEM])
            )
        case .edDSA:
            let pair = try TestKeys.ed25519()
            return (
                try TokenIssuer(privateKeyPEM: pair.privatePEM, keyID: kid),
                JWTAuthConfiguration(publicKeysPEM: [pair.publicPEM])
            )
        }
    }

    @Test("every algorithm round-trips with all claims", arguments: TokenSigningAlgorithm.allCases)
    func roundTrip(_ algorithm: TokenSigningAlgorithm) async throws {
        var (issuer, configuration) = try Self.setup(algorithm, kid: "key-1")
        #expect(issuer.algorithm == algorithm)
        configuration.issuer = "https://id.test"
        configuration.audience = "reactor"
        let client = try await JWTAuthClient(configuration: configuration)
        let issuedAt = Date(timeIntervalSince1970: TimeInterval(nowSeconds()))
        let token = try await issuer.issue(
            subject: "alice", issuer: "https://id.test", audience: ["other", "reactor"], ttl: 600,
            roles: ["admin", "dev"], issuedAt: issuedAt)

        let head = try header(of: token)
        #expect(head["alg"] == algorithm.rawValue)
        #expect(head["typ"] == "JWT")
        #expect(head["kid"] == "key-1")

        let claims = try await client.verify(token: token)
        #expect(
            claims
                == AuthClaims(
                    subject: "alice", issuer: "https://id.test", audience: ["other", "reactor"],
                    expiresAt: issuedAt.addingTimeInterval(600), issuedAt: issuedAt, roles: ["admin", "dev"]))
    }

    @Test("tokens from TokenIssuer verify with jwt-kit on its own", arguments: TokenSigningAlgorithm.allCases)
    func interoperatesWithJWTKit(_ algorithm: TokenSigningAlgorithm) async throws {
        let keys = JWTKeyCollection()
        let issuer: TokenIssuer
        switch algorithm {
        case .hs256:
            issuer = try TokenIssuer(hmacSecret: testSecret)
            await keys.add(hmac: HMACKey(from: testSecret), digestAlgorithm: .sha256)
        case .rs256:
            let pair = try TestKeys.rsa()
            issuer = try TokenIssuer(privateKeyPEM: pair.privatePEM)
            await keys.add(rsa: try Insecure.RSA.PublicKey(pem: pair.publicPEM), digestAlgorithm: .sha256)
        case .es256:
            let pair = TestKeys.p256()
            issuer = try TokenIssuer(privateKeyPEM: pair.privatePEM)
            await keys.add(ecdsa: try ES256PublicKey(pem: pair.publicPEM))
        case .edDSA:
            let pair = try TestKeys.ed25519()
            issuer = try TokenIssuer(privateKeyPEM: pair.privatePEM)
            await keys.add(eddsa: try EdDSA.PublicKey(pem: pair.publicPEM))
        }
        let token = try await issuer.issue(subject: "bob", audience: ["reactor"], ttl: 60, roles: ["reader"])
        let payload = try await keys.verify(token, as: CustomPayload.self)
        #expect(payload.sub == "bob")
        #expect(payload.aud?.value == ["reactor"])
        #expect(payload.roles == ["reader"])
        #expect(payload.exp != nil)
    }

    @Test("tokens signed by jwt-kit verify, with aud as a single string")
    func verifiesForeignTokens() async throws {
        let pair = TestKeys.p256()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: pair.privatePEM))
        let token = try await keys.sign(
            CustomPayload(sub: "carol", iss: "idp", aud: "reactor", exp: nowSeconds() + 60, extra: "ignored"))
        let client = try await JWTAuthClient(
            configuration: JWTAuthConfiguration(publicKeysPEM: [pair.publicPEM], issuer: "idp", audience: "reactor"))
        let claims = try await client.verify(token: token)
        #expect(claims.subject == "carol")
        #expect(claims.audience == ["reactor"])
        #expect(claims.roles == [])
    }

    @Test("generated key pairs sign and verify", arguments: [TokenSigningAlgorithm.rs256, .es256, .edDSA])
    func generatedKeyPairs(_ algorithm: TokenSigningAlgorithm) async throws {
        let pair = try TokenIssuer.generateKeyPair(algorithm)
        #expect(pair.privateKeyPEM.hasPrefix("-----BEGIN ") && pair.privateKeyPEM.contains("PRIVATE KEY-----"))
        #expect(pair.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let issuer = try TokenIssuer(privateKeyPEM: pair.privateKeyPEM)
        #expect(issuer.algorithm == algorithm)
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(publicKeysPEM: [pair.publicKeyPEM]))
        let claims = try await client.verify(token: try await issuer.issue(subject: "dave"))
        #expect(claims.subject == "dave")
    }

    @Test("a private key PEM in publicKeysPEM verifies with its public half")
    func privateKeyAsVerificationKey() async throws {
        let pair = try TestKeys.ed25519()
        let issuer = try TokenIssuer(privateKeyPEM: pair.privatePEM)
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(publicKeysPEM: [pair.privatePEM]))
        #expect(try await client.verify(token: try await issuer.issue(subject: "erin")).subject == "erin")
    }

    @Test("several keys: each verifies its own tokens, rotated secrets keep working")
    func severalKeys() async throws {
        let old = TokenIssuer.generateHMACSecret(byteCount: 48)
        let new = TokenIssuer.generateHMACSecret()
        let ec = TestKeys.p256()
        let client = try await JWTAuthClient(
            configuration: JWTAuthConfiguration(hmacSecrets: [new, old], publicKeysPEM: [ec.publicPEM]))
        for issuer in [
            try TokenIssuer(hmacSecret: old), try TokenIssuer(hmacSecret: new),
            try TokenIssuer(privateKeyPEM: ec.privatePEM),
        ] {
            #expect(try await client.verify(token: try await issuer.issue(subject: "frank")).subject == "frank")
        }
    }

    @Test("a generated HMAC secret is random base64url of at least 32 bytes")
    func generatedSecret() throws {
        let secrets = (0..<20).map { _ in TokenIssuer.generateHMACSecret() }
        #expect(Set(secrets).count == 20)
        for secret in secrets {
            #expect(secret.count == 43)
            #expect(secret.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(TokenIssuer.generateHMACSecret(byteCount: 8).count == 43)
        #expect(TokenIssuer.generateHMACSecret(byteCount: 64).count == 86)
    }

    @Test("AuthClaims encodes as JWT-shaped JSON and decodes it back")
    func claimsJSON() throws {
        let claims = AuthClaims(
            subject: "alice", issuer: "idp", audience: ["reactor"],
            expiresAt: Date(timeIntervalSince1970: 1_767_225_600),
            issuedAt: Date(timeIntervalSince1970: 1_767_222_000), roles: ["admin"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(AuthMeResponse(claims: claims)), as: UTF8.self)
        #expect(
            json
                == #"{"claims":{"aud":["reactor"],"exp":1767225600,"iat":1767222000,"iss":"idp","roles":["admin"],"sub":"alice"}}"#
        )
        #expect(try JSONDecoder().decode(AuthMeResponse.self, from: Data(json.utf8)).claims == claims)

        let minimal = try JSONDecoder().decode(AuthClaims.self, from: Data(#"{"sub":"bob","aud":"x"}"#.utf8))
        #expect(minimal == AuthClaims(subject: "bob", audience: ["x"]))
        #expect(
            String(decoding: try encoder.encode(minimal), as: UTF8.self) == #"{"aud":["x"],"roles":[],"sub":"bob"}"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AuthClaims.self, from: Data(#"{"aud":[]}"#.utf8))
        }
    }
}
