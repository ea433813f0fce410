import Foundation
import ReactorAuth
import ReactorCore
import ReactorIdentity
import ReactorMemory
import ReactorTesting
import Synchronization

/// A clock tests move by hand (token expiry, rate-limit windows), instead of sleeping.
final class TestClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { time = Mutex(start) }

    var now: Date { time.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var function: @Sendable () -> Date { { self.now } }
}

/// Cheap scrypt for tests (the cost is config; the production default is logN 15).
let testScrypt = ScryptParameters(logN: 4, r: 8, p: 1)

/// A service on `store` (in memory unless given) with a mock vault and a hand-moved clock.
func makeService(
    store: any IdentityStore = InMemoryIdentityStore(), vault: MockVault = MockVault(), clock: TestClock = TestClock(),
    _ adjust: (inout IdentityConfiguration) -> Void = { _ in }
) async throws -> IdentityService {
    var configuration = IdentityConfiguration(issuer: "https://id.test", audience: "reactor-test", scrypt: testScrypt)
    adjust(&configuration)
    return try await IdentityService(store: store, vault: vault, configuration: configuration, now: clock.function)
}

/// Signs tokens with the service's own current key (read from the vault), for claims the service never issues.
func forgeWithServiceKey(
    _ vault: MockVault, subject: String, issuer: String = "https://id.test", audience: [String] = ["reactor-test"],
    ttl: TimeInterval = 900, notBefore: Date? = nil, issuedAt: Date
) async throws -> String {
    guard let ring = try await SigningKeyRing.load(from: vault) else { throw ReactorError(.internal, "no ring") }
    let issuerKey = try TokenIssuer(privateKeyPEM: ring.current.privateKeyPEM, keyID: ring.current.kid)
    return try await issuerKey.issue(
        subject: subject, issuer: issuer, audience: audience, ttl: ttl, notBefore: notBefore, issuedAt: issuedAt)
}

/// An unsigned token (`alg: none`) for `subject`.
func unsignedToken(subject: String, issuedAt: Date) -> String {
    let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
    let iat = Int(issuedAt.timeIntervalSince1970)
    let claims = #"{"sub":"\#(subject)","iss":"https://id.test","aud":["reactor-test"],"iat":\#(iat),"exp":\#(iat + 600)}"#
    return header + "." + Base64URL.encode(Array(claims.utf8)) + "."
}

/// The error code `body` throws, or nil when it does not throw.
func errorCode(_ body: () async throws -> Void) async -> ReactorError.Code? {
    do {
        try await body()
        return nil
    } catch let error as ReactorError {
        return error.code
    } catch {
        return ReactorError.Code("NOT_A_REACTOR_ERROR: \(error)")
    }
}
