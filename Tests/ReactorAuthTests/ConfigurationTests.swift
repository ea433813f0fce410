import Foundation
import ReactorAuth
import ReactorCore
import Testing

@Suite("Configuration is checked before any key reaches jwt-kit", .timeLimit(.minutes(3)))
struct ConfigurationTests {
    func configError(_ configuration: JWTAuthConfiguration) async -> ReactorError? {
        await reactorError { try await JWTAuthClient(configuration: configuration) }
    }

    @Test("an HMAC secret under 32 bytes is rejected, naming the field (no trap)")
    func shortHMACSecret() async throws {
        let short = String(repeating: "s", count: 31)
        let error = await configError(JWTAuthConfiguration(hmacSecrets: [testSecret, short]))
        #expect(error?.code == .configInvalid)
        #expect(error?.details["field"] == "hmacSecrets[1]")
        #expect(error?.message.contains("hmacSecrets[1] is 31 bytes") == true)
        #expect(error?.message.contains("32") == true)

        #expect(await configError(JWTAuthConfiguration(hmacSecrets: [""]))?.details["field"] == "hmacSecrets[0]")
        #expect(throws: ReactorError.self) { try JWTAuthConfiguration(hmacSecrets: ["tiny"]).validate() }
    }

    @Test("TokenIssuer rejects a short HMAC secret with INVALID_ARGUMENT (no trap)")
    func shortIssuerSecret() throws {
        for secret in ["", "secret", String(repeating: "x", count: 31)] {
            let error = #expect(throws: ReactorError.self) { try TokenIssuer(hmacSecret: secret) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("at least 32 bytes") == true)
        }
    }

    @Test("the 32-byte minimum counts UTF-8 bytes")
    func utf8Length() async throws {
        let secret = String(repeating: "é", count: 16)  // 32 bytes, 16 characters
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(hmacSecrets: [secret]))
        let token = try await TokenIssuer(hmacSecret: secret).issue(subject: "u")
        #expect(try await client.verify(token: token).subject == "u")
        #expect(
            await configError(JWTAuthConfiguration(hmacSecrets: [String(repeating: "é", count: 15)]))?.code
                == .configInvalid)
    }

    @Test("no key source at all is rejected")
    func noKeys() async {
        let error = await configError(JWTAuthConfiguration())
        #expect(error?.code == .configInvalid)
        #expect(error?.message.contains("no verification key") == true)
    }

    @Test("unreadable PEMs are rejected, naming the field")
    func badPEM() async throws {
        let p256 = TestKeys.p256()
        let cases: [(String, String)] = [
            ("not a pem", "is not PEM text"),
            ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "not an RSA"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----", "OPENSSH PRIVATE KEY"),
        ]
        for (pem, expected) in cases {
            let error = await configError(JWTAuthConfiguration(publicKeysPEM: [p256.publicPEM, pem]))
            #expect(error?.code == .configInvalid)
            #expect(error?.details["field"] == "publicKeysPEM[1]")
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
    }

    @Test("TokenIssuer rejects public keys and unreadable PEMs")
    func issuerBadPEM() throws {
        let error = #expect(throws: ReactorError.self) { try TokenIssuer(privateKeyPEM: TestKeys.p256().publicPEM) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("public key") == true)
        #expect(throws: ReactorError.self) { try TokenIssuer(privateKeyPEM: "garbage") }
        #expect(throws: ReactorError.self) { try TokenIssuer(hmacSecret: testSecret, keyID: "") }
        #expect(throws: ReactorError.self) { try TokenIssuer.generateKeyPair(.hs256) }
    }

    @Test("TokenIssuer rejects an empty subject and a non-positive ttl")
    func issuerArguments() async throws {
        let issuer = try TokenIssuer(hmacSecret: testSecret)
        #expect(await reactorError { try await issuer.issue(subject: "") }?.code == .invalidArgument)
        for ttl in [0, -5, .infinity, .nan] as [TimeInterval] {
            #expect(await reactorError { try await issuer.issue(subject: "a", ttl: ttl) }?.details["field"] == "ttl")
        }
    }

    @Test("bad JWKS text, URL and times are rejected, naming the field")
    func otherFields() async {
        let cases: [(JWTAuthConfiguration, String)] = [
            (JWTAuthConfiguration(jwks: "{nope"), "jwks"),
            (JWTAuthConfiguration(jwks: #"{"keys": 5}"#), "jwks"),
            (JWTAuthConfiguration(jwks: #"{"keys": []}"#), "jwks"),
            (JWTAuthConfiguration(jwks: #"{"keys": [{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}"#), "jwks"),
            (JWTAuthConfiguration(jwksURL: "ftp://keys.test/jwks.json"), "jwksURL"),
            (JWTAuthConfiguration(jwksURL: "not a url"), "jwksURL"),
            (JWTAuthConfiguration(hmacSecrets: [testSecret], issuer: ""), "issuer"),
            (JWTAuthConfiguration(hmacSecrets: [testSecret], audience: ""), "audience"),
            (JWTAuthConfiguration(hmacSecrets: [testSecret], leeway: -1), "leeway"),
            (JWTAuthConfiguration(hmacSecrets: [testSecret], leeway: .nan), "leeway"),
            (JWTAuthConfiguration(jwksURL: "http://127.0.0.1:1/jwks", jwksTimeout: 0), "jwksTimeout"),
        ]
        for (configuration, field) in cases {
            let error = await configError(configuration)
            #expect(error?.code == .configInvalid, "\(field)")
            #expect(error?.details["field"] == field, "\(error?.message ?? "no error")")
        }
    }

    @Test("RemoteAuthClient rejects a bad base URL and settings")
    func remoteArguments() throws {
        for url in ["", "localhost:8080", "ftp://x", "http://"] {
            let error = #expect(throws: ReactorError.self) { try RemoteAuthClient(baseURL: url) }
            #expect(error?.details["field"] == "baseURL")
        }
        #expect(throws: ReactorError.self) { try RemoteAuthClient(baseURL: "http://a.test", timeout: 0) }
        #expect(throws: ReactorError.self) { try RemoteAuthClient(baseURL: "http://a.test", cacheTTL: -1) }
        #expect(throws: ReactorError.self) { try RemoteAuthClient(baseURL: "http://a.test", cacheCapacity: 0) }
        #expect(
            try RemoteAuthClient(baseURL: "https://a.test/base//").endpoint == "https://a.test/base/reactor/v1/auth/me")
    }
}
