import Foundation
import ReactorCore

/// What sign-up, login and refresh answer: the user, a short-lived access token and the next refresh token.
///
/// JSON: `{"user": AuthUser, "accessToken", "refreshToken", "tokenType": "Bearer", "expiresIn": seconds}`. This is
/// the only time a refresh token is shown; the server keeps its hash.
public struct TokenGrant: Sendable, Encodable {
    /// Who logged in.
    public var user: AuthUser
    /// The JWT to send as `Authorization: Bearer …`.
    public var accessToken: String
    /// The token to exchange for the next grant (once).
    public var refreshToken: String
    /// Seconds until the access token expires.
    public var expiresIn: Int

    private enum CodingKeys: String, CodingKey { case user, accessToken, refreshToken, tokenType, expiresIn }

    /// Encodes the JSON form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(user, forKey: .user)
        try c.encode(accessToken, forKey: .accessToken)
        try c.encode(refreshToken, forKey: .refreshToken)
        try c.encode("Bearer", forKey: .tokenType)
        try c.encode(expiresIn, forKey: .expiresIn)
    }
}

/// A new API key: its record and the key text, shown this once (`{"apiKey": APIKeyRecord, "key": "rk_…"}`).
public struct CreatedAPIKey: Sendable, Encodable {
    /// The stored record (without the hash).
    public var apiKey: APIKeyRecord
    /// The key to send as `Authorization: Bearer …`.
    public var key: String
}

/// Secrets the service hands out, and their hashes.
enum Secrets {
    /// `count` random bytes.
    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A refresh token: `rt_` + 32 random bytes, base64url.
    static func refreshToken() -> String { "rt_" + Base64URL.encode(random(32)) }

    /// An API key's id (16 hex digits) and text `rk_<id>_<32 random bytes, base64url>`.
    static func apiKey() -> (id: String, key: String) {
        let id = random(8).map { String(format: "%02x", $0) }.joined()
        return (id, "rk_\(id)_" + Base64URL.encode(random(32)))
    }
}

import Crypto

extension Secrets {
    /// The stored form of a high-entropy secret (refresh token, API key): SHA-256, hex. These secrets carry 256
    /// random bits, so a fast hash cannot be brute-forced; passwords use scrypt instead.
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
