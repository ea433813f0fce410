import Foundation
import JWTKit
import ReactorAuth
import ReactorCore
import Testing

/// A 32-byte HMAC secret for tests.
let testSecret = "0123456789abcdef0123456789abcdef"

/// Awaits `body` and returns the ``ReactorError`` it throws (recording an issue when it throws something else or
/// nothing).
func reactorError(
    _ body: () async throws -> some Any, sourceLocation: SourceLocation = #_sourceLocation
) async -> ReactorError? {
    do {
        _ = try await body()
        Issue.record("expected a ReactorError, got a value", sourceLocation: sourceLocation)
        return nil
    } catch let error as ReactorError {
        return error
    } catch {
        Issue.record("expected a ReactorError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The decoded JSON header of a compact token.
func header(of token: String) throws -> [String: String] {
    let part = try #require(token.split(separator: ".").first)
    let bytes = try #require(Base64URL.decode(part, padding: .forbidden))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    return object.compactMapValues { $0 as? String }
}

/// An arbitrary payload for signing tokens Reactor's issuer would not write.
struct CustomPayload: JWTPayload {
    var sub: String?
    var iss: String?
    var aud: AudienceClaim?
    var exp: Int?
    var nbf: Int?
    var roles: [String]?
    var extra: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Signs `payload` with HS256 and `secret` through jwt-kit directly.
func signHS256(_ payload: CustomPayload, secret: String = testSecret, kid: String? = nil) async throws -> String {
    let keys = JWTKeyCollection()
    await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    var header = JWTHeader()
    if let kid { header.kid = kid }
    return try await keys.sign(payload, header: header)
}

/// Now, in whole Unix seconds.
func nowSeconds() -> Int { Int(Date().timeIntervalSince1970) }
