import Foundation
import ReactorAuth
import ReactorConfig
import ReactorCore

/// Builds the `AuthClient` named by `[auth]`: nil when auth is disabled, the remote adapter when `remote_url` is set,
/// otherwise the in-process JWT verifier with every configured key source.
public enum AuthFactory {
    /// The auth client for a resolved `[auth]` section.
    public static func make(_ auth: ReactorConfiguration.AuthSection) async throws -> (any AuthClient)? {
        guard auth.enabled else { return nil }
        if !auth.remoteURL.isEmpty {
            return try RemoteAuthClient(baseURL: auth.remoteURL, cacheTTL: 30)
        }
        var jwks: String?
        if !auth.jwksFile.isEmpty {
            do {
                jwks = try String(contentsOfFile: auth.jwksFile, encoding: .utf8)
            } catch {
                throw ReactorError(.configInvalid, "auth.jwks_file: cannot read '\(auth.jwksFile)': \(error.localizedDescription)",
                                   details: ["keys": "auth.jwks_file"])
            }
        }
        let configuration = JWTAuthConfiguration(
            hmacSecrets: auth.hmacSecret.isEmpty ? [] : [auth.hmacSecret],
            publicKeysPEM: auth.publicKeys,
            jwks: jwks,
            jwksURL: auth.jwksURL.isEmpty ? nil : auth.jwksURL,
            issuer: auth.issuer.isEmpty ? nil : auth.issuer,
            audience: auth.audience.isEmpty ? nil : auth.audience,
            leeway: TimeInterval(auth.leewaySeconds))
        do {
            try configuration.validate()
        } catch {
            throw ReactorError(.configInvalid, "[auth]: \(error.message)", details: error.details)
        }
        return try await JWTAuthClient(configuration: configuration)
    }
}
