import Foundation
import ReactorAuth
import ReactorCore
import ReactorIdentity
import ReactorMemory
import ReactorTesting
import Testing

@Suite("IdentityService", .timeLimit(.minutes(3)))
struct IdentityServiceTests {
    @Test func theFirstUserToSignUpIsAnAdminTheNextIsNot() async throws {
        let service = try await makeService()
        let first = try await service.signUp(email: "  Alice@Example.COM ", password: "correct horse")
        #expect(first.user.email == "alice@example.com")
        #expect(first.user.roles == ["admin"])
        #expect(first.user.displayName == "alice")
        let second = try await service.signUp(email: "bob@example.com", password: "battery staple", displayName: "Bob")
        #expect(second.user.roles.isEmpty)
        #expect(await errorCode { _ = try await service.signUp(email: "ALICE@example.com", password: "whatever1") } == .emailTaken)
        #expect(await errorCode { _ = try await service.signUp(email: "not-an-email", password: "whatever1") } == .invalidInput)
        #expect(await errorCode { _ = try await service.signUp(email: "c@example.com", password: "short") } == .invalidInput)
    }

    @Test func concurrentFirstSignUpsMakeOneAdmin() async throws {
        let service = try await makeService()
        let roles = try await withThrowingTaskGroup(of: [String].self) { group in
            for n in 0..<6 {
                group.addTask { try await service.signUp(email: "u\(n)@example.com", password: "correct horse").user.roles }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(roles.filter { $0 == ["admin"] }.count == 1, "\(roles)")
        let stored = try await service.users().filter { $0.hasRole("admin") }
        #expect(stored.count == 1)
    }

    @Test func signUpCanBeTurnedOffWhileAdminsStillCreateUsers() async throws {
        let service = try await makeService { $0.signupEnabled = false }
        #expect(await errorCode { _ = try await service.signUp(email: "a@example.com", password: "long enough") } == .signupDisabled)
        let admin = try await service.createUser(email: "root@example.com", password: "long enough", roles: ["admin"])
        #expect(admin.roles == ["admin"])
    }

    @Test func passwordsAreStoredAsScryptHashesOnly() async throws {
        let store = InMemoryIdentityStore()
        let service = try await makeService(store: store)
        let grant = try await service.signUp(email: "a@example.com", password: "correct horse")
        let record = try #require(try await store.user(id: grant.user.id))
        let hash = try #require(record.passwordHash)
        #expect(hash.hasPrefix("$scrypt$ln=4,r=8,p=1$"))
        #expect(!hash.contains("correct horse"))
        // The refresh token is stored as a hash only.
        #expect(try await store.session(tokenHash: grant.refreshToken) == nil)
    }

    @Test func wrongPasswordAndUnknownUserAnswerIdentically() async throws {
        let service = try await makeService()
        _ = try await service.signUp(email: "a@example.com", password: "correct horse")
        var answers: [String] = []
        for email in ["a@example.com", "nobody@example.com"] {
            do {
                _ = try await service.login(email: email, password: "wrong password", address: "192.0.2.1")
                Issue.record("a wrong login succeeded")
            } catch let error as ReactorError {
                answers.append("\(error.code) \(error.message) \(error.details)")
            }
        }
        #expect(answers.count == 2 && answers[0] == answers[1])
    }

    /// Unknown users cost a dummy scrypt: with a cost where scrypt dominates, both kinds of failure take about as
    /// long (an unknown user without the dummy hash would be orders of magnitude faster).
    @Test func unknownUsersCostAsMuchAsWrongPasswords() async throws {
        let service = try await makeService {
            $0.scrypt = ScryptParameters(logN: 13, r: 8, p: 1)
            $0.loginAttemptsPerAccount = 1000
            $0.loginAttemptsPerAddress = 1000
        }
        _ = try await service.signUp(email: "a@example.com", password: "correct horse")
        func median(_ email: String) async -> Duration {
            var times: [Duration] = []
            for _ in 0..<5 {
                let start = ContinuousClock.now
                _ = await errorCode { _ = try await service.login(email: email, password: "wrong password", address: nil) }
                times.append(ContinuousClock.now - start)
            }
            return times.sorted()[2]
        }
        let wrong = await median("a@example.com")
        let unknown = await median("nobody@example.com")
        #expect(unknown > wrong / 4, "unknown user \(unknown), wrong password \(wrong)")
        #expect(wrong > unknown / 4, "unknown user \(unknown), wrong password \(wrong)")
    }

    @Test func failedLoginsAreLimitedPerAccountUntilTheWindowEnds() async throws {
        let clock = TestClock()
        let service = try await makeService(clock: clock) {
            $0.loginAttemptsPerAccount = 3
            $0.loginWindow = 60
        }
        _ = try await service.signUp(email: "a@example.com", password: "correct horse")
        for n in 0..<3 {
            #expect(await errorCode { _ = try await service.login(email: "a@example.com", password: "nope \(n)xxxx", address: "192.0.2.\(n)") } == .invalidCredentials)
        }
        do {
            _ = try await service.login(email: "A@example.com", password: "correct horse", address: "192.0.2.9")
            Issue.record("a login past the limit was tried")
        } catch let error as ReactorError {
            #expect(error.code == .tooManyLoginAttempts)
            #expect(error.details["retryAfterSeconds"] == "60")
        }
        clock.advance(61)
        let grant = try await service.login(email: "a@example.com", password: "correct horse", address: "192.0.2.9")
        #expect(grant.user.email == "a@example.com")
    }

    @Test func failedLoginsAreLimitedPerAddress() async throws {
        let clock = TestClock()
        let service = try await makeService(clock: clock) {
            $0.loginAttemptsPerAccount = 100
            $0.loginAttemptsPerAddress = 4
        }
        _ = try await service.signUp(email: "a@example.com", password: "correct horse")
        for n in 0..<4 {
            _ = await errorCode { _ = try await service.login(email: "u\(n)@example.com", password: "whatever1", address: "198.51.100.7") }
        }
        #expect(await errorCode { _ = try await service.login(email: "a@example.com", password: "correct horse", address: "198.51.100.7") } == .tooManyLoginAttempts)
        // Another address is not limited.
        _ = try await service.login(email: "a@example.com", password: "correct horse", address: "198.51.100.8")
    }

    @Test func refreshTokensRotateAndAReplayRevokesTheFamily() async throws {
        let service = try await makeService()
        let first = try await service.signUp(email: "a@example.com", password: "correct horse")
        let second = try await service.refresh(refreshToken: first.refreshToken)
        #expect(second.refreshToken != first.refreshToken)
        let third = try await service.refresh(refreshToken: second.refreshToken)
        // Replaying a used token: reuse detected, the family (including the newest token) is revoked.
        #expect(await errorCode { _ = try await service.refresh(refreshToken: first.refreshToken) } == .refreshTokenReused)
        #expect(await errorCode { _ = try await service.refresh(refreshToken: third.refreshToken) } == .refreshTokenInvalid)
        // Another login's family is untouched.
        let other = try await service.login(email: "a@example.com", password: "correct horse", address: nil)
        _ = try await service.refresh(refreshToken: other.refreshToken)
        #expect(await errorCode { _ = try await service.refresh(refreshToken: "rt_unknown") } == .refreshTokenInvalid)
    }

    @Test func refreshTokensExpireAndLogoutEndsTheSession() async throws {
        let clock = TestClock()
        let service = try await makeService(clock: clock) { $0.refreshTokenTTL = 3600 }
        let grant = try await service.signUp(email: "a@example.com", password: "correct horse")
        try await service.logout(refreshToken: grant.refreshToken)
        #expect(await errorCode { _ = try await service.refresh(refreshToken: grant.refreshToken) } == .refreshTokenInvalid)
        let again = try await service.login(email: "a@example.com", password: "correct horse", address: nil)
        clock.advance(3601)
        #expect(await errorCode { _ = try await service.refresh(refreshToken: again.refreshToken) } == .refreshTokenInvalid)
    }

    @Test func accessTokensVerifyUntilTheyExpire() async throws {
        let clock = TestClock()
        let service = try await makeService(clock: clock) {
            $0.accessTokenTTL = 600
            $0.leeway = 0
        }
        let grant = try await service.signUp(email: "a@example.com", password: "correct horse")
        let claims = try await service.verify(token: grant.accessToken)
        #expect(claims.subject == grant.user.id)
        #expect(claims.roles == ["admin"])
        #expect(claims.issuer == "https://id.test")
        #expect(claims.audience == ["reactor-test"])
        clock.advance(601)
        #expect(await errorCode { _ = try await service.verify(token: grant.accessToken) } == .tokenExpired)
    }

    @Test func forgedAndMisdirectedTokensAreRefused() async throws {
        let clock = TestClock()
        let vault = MockVault()
        let service = try await makeService(vault: vault, clock: clock) { $0.leeway = 0 }
        let user = try await service.signUp(email: "a@example.com", password: "correct horse").user
        let now = clock.now
        // alg: none.
        #expect(await errorCode { _ = try await service.verify(token: unsignedToken(subject: user.id, issuedAt: now)) } == .tokenSignature)
        // Another key with the same kid.
        let ring = try #require(try await SigningKeyRing.load(from: vault))
        let otherRing = SigningKeyRing.generate(now: now)
        let forged = try await TokenIssuer(privateKeyPEM: otherRing.current.privateKeyPEM, keyID: ring.current.kid)
            .issue(subject: user.id, issuer: "https://id.test", audience: ["reactor-test"], issuedAt: now)
        #expect(await errorCode { _ = try await service.verify(token: forged) } == .tokenSignature)
        // The service's own key, but claims it would never issue.
        let expired = try await forgeWithServiceKey(vault, subject: user.id, ttl: 60, issuedAt: now.addingTimeInterval(-120))
        #expect(await errorCode { _ = try await service.verify(token: expired) } == .tokenExpired)
        let early = try await forgeWithServiceKey(vault, subject: user.id, notBefore: now.addingTimeInterval(300), issuedAt: now)
        #expect(await errorCode { _ = try await service.verify(token: early) } == .tokenExpired)
        let audience = try await forgeWithServiceKey(vault, subject: user.id, audience: ["someone-else"], issuedAt: now)
        #expect(await errorCode { _ = try await service.verify(token: audience) } == .tokenAudience)
        let issuer = try await forgeWithServiceKey(vault, subject: user.id, issuer: "https://evil.test", issuedAt: now)
        #expect(await errorCode { _ = try await service.verify(token: issuer) } == .tokenIssuer)
        // And the genuine article verifies.
        let good = try await forgeWithServiceKey(vault, subject: user.id, issuedAt: now)
        #expect(try await service.verify(token: good).subject == user.id)
    }

    @Test func rotatedKeysKeepVerifyingUntilTheirTokensExpire() async throws {
        let clock = TestClock()
        let vault = MockVault()
        let service = try await makeService(vault: vault, clock: clock) {
            $0.accessTokenTTL = 600
            $0.leeway = 0
        }
        let before = try await service.signUp(email: "a@example.com", password: "correct horse")
        let oldKid = try #require(try await SigningKeyRing.load(from: vault)).current.kid
        let newKid = try await service.rotateKeys()
        #expect(newKid != oldKid)
        let kids = try await service.jwks()["keys"]?.arrayValue?.compactMap { $0["kid"]?.stringValue } ?? []
        #expect(kids == [newKid, oldKid])
        #expect(try await service.verify(token: before.accessToken).subject == before.user.id)
        let after = try await service.login(email: "a@example.com", password: "correct horse", address: nil)
        #expect(try await service.verify(token: after.accessToken).subject == before.user.id)
        // Past the old tokens' lifetime the old key is no longer published; a second rotation drops it.
        clock.advance(601)
        let published = try await service.jwks()["keys"]?.arrayValue?.count
        #expect(published == 1)
        _ = try await service.rotateKeys()
        let ring = try #require(try await SigningKeyRing.load(from: vault))
        #expect(!ring.keys.map(\.kid).contains(oldKid))
    }

    @Test func aRotationByAnotherProcessIsSeenAfterTheReloadInterval() async throws {
        let clock = TestClock()
        let vault = MockVault()
        let service = try await makeService(vault: vault, clock: clock) { $0.keyReloadInterval = 30 }
        _ = try await service.signUp(email: "a@example.com", password: "correct horse")
        let rotated = try await IdentityService.rotateKeys(in: vault, configuration: service.configuration, now: clock.now)
        clock.advance(31)
        let grant = try await service.login(email: "a@example.com", password: "correct horse", address: nil)
        let header = try #require(grant.accessToken.split(separator: ".").first)
        let json = try JSONValueCoder.parse(try #require(Base64URL.decode(header)))
        #expect(json["kid"]?.stringValue == rotated.current.kid)
    }

    @Test func aDisabledUserStopsAtTheNextRefreshAndApiKeysAtOnce() async throws {
        let service = try await makeService()
        _ = try await service.signUp(email: "root@example.com", password: "correct horse")
        let grant = try await service.signUp(email: "b@example.com", password: "battery staple")
        let key = try await service.createAPIKey(userID: grant.user.id, name: "ci", roles: [])
        #expect(try await service.verify(token: key.key).subject == grant.user.id)
        _ = try await service.setDisabled(userID: grant.user.id, true)
        #expect(await errorCode { _ = try await service.verify(token: key.key) } == .userDisabled)
        #expect(await errorCode { _ = try await service.refresh(refreshToken: grant.refreshToken) } != nil)
        #expect(await errorCode { _ = try await service.login(email: "b@example.com", password: "battery staple", address: nil) } == .userDisabled)
        // The access token itself runs out at its expiry (it cannot be revoked).
        #expect(try await service.verify(token: grant.accessToken).subject == grant.user.id)
    }

    @Test func apiKeysAreShownOnceStoredHashedScopedAndRevocable() async throws {
        let store = InMemoryIdentityStore()
        let service = try await makeService(store: store)
        let admin = try await service.signUp(email: "root@example.com", password: "correct horse").user
        _ = try await service.setRoles(userID: admin.id, ["admin", "ops"])
        let created = try await service.createAPIKey(userID: admin.id, name: "deploy", roles: ["ops"])
        #expect(created.key.hasPrefix("rk_\(created.apiKey.id)_"))
        let stored = try #require(try await store.apiKeys(userID: admin.id).first)
        #expect(stored.keyHash != created.key && !stored.keyHash.isEmpty)
        let listed = try JSONValueCoder.encode(try await service.apiKeys(userID: admin.id)).canonicalString
        #expect(!listed.contains(created.key) && !listed.contains(stored.keyHash))
        let claims = try await service.verify(token: created.key)
        #expect(claims.roles == ["ops"])
        // Scoped: a role the user lacks is refused; taking the role from the user takes it from the key.
        #expect(await errorCode { _ = try await service.createAPIKey(userID: admin.id, name: "x", roles: ["root"]) } == .forbidden)
        _ = try await service.setRoles(userID: admin.id, ["admin"])
        #expect(try await service.verify(token: created.key).roles.isEmpty)
        try await service.revokeAPIKey(id: created.apiKey.id)
        #expect(await errorCode { _ = try await service.verify(token: created.key) } == .apiKeyInvalid)
        #expect(await errorCode { _ = try await service.verify(token: "rk_0000_nothing") } == .apiKeyInvalid)
        #expect(await errorCode { try await service.revokeAPIKey(id: "nope") } == .apiKeyNotFound)
    }

    @Test func changingThePasswordEndsEverySession() async throws {
        let service = try await makeService()
        let grant = try await service.signUp(email: "a@example.com", password: "correct horse")
        #expect(await errorCode { try await service.changePassword(userID: grant.user.id, currentPassword: "wrong one", newPassword: "new password") } == .invalidCredentials)
        try await service.changePassword(userID: grant.user.id, currentPassword: "correct horse", newPassword: "new password")
        #expect(await errorCode { _ = try await service.refresh(refreshToken: grant.refreshToken) } == .refreshTokenInvalid)
        #expect(await errorCode { _ = try await service.login(email: "a@example.com", password: "correct horse", address: nil) } == .invalidCredentials)
        _ = try await service.login(email: "a@example.com", password: "new password", address: nil)
    }

    @Test func discoveryNamesTheJWKSAndTheIssuer() async throws {
        let service = try await makeService()
        let document = service.discovery(baseURL: "https://id.test")
        #expect(document["issuer"]?.stringValue == "https://id.test")
        #expect(document["jwks_uri"]?.stringValue == "https://id.test/auth/v1/.well-known/jwks.json")
        #expect(document["id_token_signing_alg_values_supported"] == ["ES256"])
    }
}
