import Foundation
import JWTKit
import ReactorAuth
import ReactorCore
import Testing

@Suite("Every verification failure has its code", .timeLimit(.minutes(3)))
struct FailureTests {
    let clock = TestClock()

    func client(
        _ configuration: JWTAuthConfiguration = JWTAuthConfiguration(
            hmacSecrets: [testSecret], issuer: "https://id.test", audience: "reactor")
    ) async throws -> JWTAuthClient {
        try await JWTAuthClient(configuration: configuration, now: clock.function)
    }

    func issue(
        subject: String = "alice", issuer: String? = "https://id.test", audience: [String] = ["reactor"],
        ttl: TimeInterval = 600, notBefore: Date? = nil, issuedAt: Date? = nil, secret: String = testSecret
    ) async throws -> String {
        try await TokenIssuer(hmacSecret: secret).issue(
            subject: subject, issuer: issuer, audience: audience, ttl: ttl, notBefore: notBefore,
            issuedAt: issuedAt ?? clock.now)
    }

    @Test("a valid token passes (the baseline for the failures below)")
    func baseline() async throws {
        #expect(try await client().verify(token: try await issue()).subject == "alice")
    }

    @Test("expired → TOKEN_EXPIRED; within the leeway still valid")
    func expired() async throws {
        let client = try await client()
        let token = try await issue(ttl: 600)
        clock.advance(600 + 59)
        #expect(try await client.verify(token: token).subject == "alice")
        clock.advance(2)
        let error = await reactorError { try await client.verify(token: token) }
        #expect(error?.code == .tokenExpired)
        #expect(error?.message.contains("expired") == true)
    }

    @Test("a verified token is remembered, but never past its expiry")
    func rememberedUntilExpiry() async throws {
        let client = try await client()
        let token = try await issue(ttl: 30)
        #expect(try await client.verify(token: token).subject == "alice")
        // Within the remembered time the same answer, without a second check.
        clock.advance(20)
        #expect(try await client.verify(token: token).subject == "alice")
        // Past exp (and the leeway) it is checked again, and refused: the memory never outlives the token.
        clock.advance(30 + 61)
        #expect(await reactorError { try await client.verify(token: token) }?.code == .tokenExpired)
        // A token that fails is never remembered as valid.
        let forged = try await issue(secret: String(repeating: "z", count: 40))
        #expect(await reactorError { try await client.verify(token: forged) }?.code == .tokenSignature)
        #expect(await reactorError { try await client.verify(token: forged) }?.code == .tokenSignature)
    }

    @Test("not yet valid (nbf) → TOKEN_EXPIRED; within the leeway valid")
    func notYetValid() async throws {
        let client = try await client()
        let token = try await issue(notBefore: clock.now.addingTimeInterval(120))
        let error = await reactorError { try await client.verify(token: token) }
        #expect(error?.code == .tokenExpired)
        #expect(error?.message.contains("not valid before") == true)
        clock.advance(61)
        #expect(try await client.verify(token: token).subject == "alice")
    }

    @Test("wrong or missing audience → TOKEN_AUDIENCE_INVALID")
    func wrongAudience() async throws {
        let client = try await client()
        for audience in [["other"], []] {
            let error = await reactorError { try await client.verify(token: try await issue(audience: audience)) }
            #expect(error?.code == .tokenAudience)
        }
    }

    @Test("wrong or missing issuer → TOKEN_ISSUER_INVALID")
    func wrongIssuer() async throws {
        let client = try await client()
        for issuer in ["https://evil.test", nil] {
            let error = await reactorError { try await client.verify(token: try await issue(issuer: issuer)) }
            #expect(error?.code == .tokenIssuer)
        }
    }

    @Test("no issuer or audience configured: any is accepted")
    func unconstrained() async throws {
        let client = try await client(JWTAuthConfiguration(hmacSecrets: [testSecret]))
        #expect(try await client.verify(token: try await issue(issuer: nil, audience: [])).subject == "alice")
    }

    @Test("signed with another key → TOKEN_SIGNATURE_INVALID")
    func wrongKey() async throws {
        let client = try await client()
        let other = TokenIssuer.generateHMACSecret()
        let error = await reactorError { try await client.verify(token: try await issue(secret: other)) }
        #expect(error?.code == .tokenSignature)

        let ecPair = TestKeys.p256()
        let ecClient = try await JWTAuthClient(configuration: JWTAuthConfiguration(publicKeysPEM: [ecPair.publicPEM]))
        let otherEC = try TokenIssuer(privateKeyPEM: TestKeys.p256().privatePEM)
        let ecError = await reactorError { try await ecClient.verify(token: try await otherEC.issue(subject: "x")) }
        #expect(ecError?.code == .tokenSignature)
    }

    @Test("an algorithm no key is configured for → TOKEN_SIGNATURE_INVALID")
    func noKeyForAlgorithm() async throws {
        let ed = try TestKeys.ed25519()
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(publicKeysPEM: [ed.publicPEM]))
        let error = await reactorError {
            try await client.verify(token: try await TokenIssuer(hmacSecret: testSecret).issue(subject: "x"))
        }
        #expect(error?.code == .tokenSignature)
        #expect(error?.message.contains("no trusted key") == true)
    }

    @Test("HS256 signed with the RSA public key as the secret (key confusion) → TOKEN_SIGNATURE_INVALID")
    func keyConfusion() async throws {
        let rsa = try TestKeys.rsa()
        let client = try await JWTAuthClient(configuration: JWTAuthConfiguration(publicKeysPEM: [rsa.publicPEM]))
        let forged = try await TokenIssuer(hmacSecret: rsa.publicPEM).issue(subject: "admin")
        let error = await reactorError { try await client.verify(token: forged) }
        #expect(error?.code == .tokenSignature)
    }

    @Test("tampered payload or signature → TOKEN_SIGNATURE_INVALID")
    func tampered() async throws {
        let client = try await client()
        let token = try await issue()
        let parts = token.split(separator: ".").map(String.init)
        let evilPayload =
            #"{"sub":"root","iss":"https://id.test","aud":["reactor"],"exp":\#(nowSeconds() + 600),"roles":["admin"]}"#
        let forged = [parts[0], Base64URL.encode(Array(evilPayload.utf8)), parts[2]].joined(separator: ".")
        #expect(await reactorError { try await client.verify(token: forged) }?.code == .tokenSignature)

        var signature = Array(parts[2])
        signature[3] = signature[3] == "A" ? "B" : "A"
        let badSignature = [parts[0], parts[1], String(signature)].joined(separator: ".")
        #expect(await reactorError { try await client.verify(token: badSignature) }?.code == .tokenSignature)

        let noSignature = parts[0] + "." + parts[1] + "."
        #expect(await reactorError { try await client.verify(token: noSignature) }?.code == .tokenSignature)
    }

    @Test("alg none (any spelling) is rejected → TOKEN_SIGNATURE_INVALID", arguments: ["none", "None", "NONE", "nOnE"])
    func algNone(_ alg: String) async throws {
        let client = try await client()
        let payload = #"{"sub":"root","iss":"https://id.test","aud":["reactor"],"exp":\#(nowSeconds() + 600)}"#
        for signature in [[], Array("x".utf8)] {
            let token = TestKeys.rawToken(
                header: #"{"alg":"\#(alg)","typ":"JWT"}"#, payload: payload, signature: signature)
            let error = await reactorError { try await client.verify(token: token) }
            #expect(error?.code == .tokenSignature)
        }
    }

    @Test("missing or empty sub → TOKEN_MALFORMED")
    func missingSubject() async throws {
        let client = try await client()
        for sub in [nil, ""] as [String?] {
            let token = try await signHS256(
                CustomPayload(sub: sub, iss: "https://id.test", aud: "reactor", exp: nowSeconds() + 60))
            let error = await reactorError { try await client.verify(token: token) }
            #expect(error?.code == .tokenMalformed)
            #expect(error?.message.contains("sub") == true)
        }
    }

    @Test("missing exp → TOKEN_MALFORMED unless expiry is optional")
    func missingExpiration() async throws {
        let token = try await signHS256(CustomPayload(sub: "alice"))
        let strict = try await client(JWTAuthConfiguration(hmacSecrets: [testSecret]))
        let error = await reactorError { try await strict.verify(token: token) }
        #expect(error?.code == .tokenMalformed)
        #expect(error?.message.contains("exp") == true)
        let lenient = try await client(JWTAuthConfiguration(hmacSecrets: [testSecret], requireExpiration: false))
        #expect(try await lenient.verify(token: token).expiresAt == nil)
    }

    @Test("claims of the wrong type → TOKEN_MALFORMED naming the claim")
    func wrongClaimTypes() async throws {
        let client = try await client(JWTAuthConfiguration(hmacSecrets: [testSecret]))
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: testSecret), digestAlgorithm: .sha256)
        for (payload, claim) in [
            (#"{"sub":42,"exp":9999999999}"#, "sub"), (#"{"sub":"a","exp":"tomorrow"}"#, "exp"),
            (#"{"sub":"a","exp":9999999999,"aud":[1]}"#, "aud"),
            (#"{"sub":"a","exp":9999999999,"roles":"admin"}"#, "roles"),
            (#"{"sub":"a","exp":1e300}"#, "exp"), (#"{"sub":"a","exp":9999999999,"nbf":true}"#, "nbf"),
        ] {
            // Sign the exact payload bytes with the right key, so only the claim types are wrong.
            let headerPart = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8))
            let payloadPart = Base64URL.encode(Array(payload.utf8))
            let signature = try await keys.getKey().sign(Array("\(headerPart).\(payloadPart)".utf8))
            let token = "\(headerPart).\(payloadPart).\(Base64URL.encode(signature))"
            let error = await reactorError { try await client.verify(token: token) }
            #expect(error?.code == .tokenMalformed, "\(payload)")
            #expect(error?.message.contains("'\(claim)'") == true, "\(error?.message ?? "")")
        }
    }

    @Test("malformed input → TOKEN_MALFORMED, never a crash")
    func malformed() async throws {
        let client = try await client()
        let validPayload = #"{"sub":"a","exp":9999999999}"#
        let inputs: [String] = [
            "", " ", "a", "a.b", "a.b.c", "a.b.c.d", "...", "..", ".", "Bearer abc.def.ghi",
            "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.", "eyJhbGciOiJIUzI1NiJ9..",
            "!!!.???.***", "a=.b=.c=", "é.é.é", "\u{0}.\u{0}.\u{0}", "a\nb.c.d",
            String(repeating: "A", count: 1 << 20),
            String(repeating: "a.", count: 50_000),
            TestKeys.rawToken(header: "not json", payload: validPayload),
            TestKeys.rawToken(header: "[1,2]", payload: validPayload),
            TestKeys.rawToken(header: "{}", payload: validPayload),
            TestKeys.rawToken(header: #"{"alg":42}"#, payload: validPayload),
            TestKeys.rawToken(header: #"{"alg":""}"#, payload: validPayload),
            TestKeys.rawToken(header: #"{"alg":"XS256"}"#, payload: validPayload),
            TestKeys.rawToken(header: #"{"alg":"HS256","kid":7}"#, payload: validPayload),
            TestKeys.rawToken(header: #"{"alg":"HS256","crit":["exp"]}"#, payload: validPayload),
            TestKeys.rawToken(header: #"{"alg":"HS256"}"#, payload: "not json"),
            TestKeys.rawToken(header: #"{"alg":"HS256"}"#, payload: "[]"),
            TestKeys.rawToken(header: #"{"alg":"HS256"}"#, payload: "\"string\""),
            TestKeys.rawToken(header: #"{"alg":"HS256"}"#, payload: ""),
            TestKeys.rawToken(header: #"{"alg":"HS256"}"#, payload: validPayload) + "==",
        ]
        for input in inputs {
            let error = await reactorError { try await client.verify(token: input) }
            #expect(error?.code == .tokenMalformed, "\(input.prefix(60))")
        }
    }

    @Test("random junk only ever yields token error codes")
    func fuzz() async throws {
        let ec = TestKeys.p256()
        let client = try await JWTAuthClient(
            configuration: JWTAuthConfiguration(hmacSecrets: [testSecret], publicKeysPEM: [ec.publicPEM]))
        let valid = try await TokenIssuer(privateKeyPEM: ec.privatePEM).issue(subject: "z")
        let alphabet = Array("ABCxyz019-_.=+/ \"{}:,")
        var generator = SystemRandomNumberGenerator()
        let allowed: Set<ReactorError.Code> = [.tokenMalformed, .tokenSignature]
        for round in 0..<400 {
            var input: String
            if round % 2 == 0 {
                input = String(
                    (0..<Int.random(in: 0...120, using: &generator)).map { _ in
                        alphabet.randomElement(using: &generator)!
                    })
            } else {
                // Mutate one character of a valid token.
                var characters = Array(valid)
                let index = Int.random(in: 0..<characters.count, using: &generator)
                characters[index] = alphabet.randomElement(using: &generator)!
                input = String(characters)
                if input == valid { continue }
            }
            do {
                _ = try await client.verify(token: input)
                Issue.record("junk verified: \(input)")
            } catch let error as ReactorError {
                #expect(allowed.contains(error.code), "\(error) for \(input)")
            }
        }
    }
}
