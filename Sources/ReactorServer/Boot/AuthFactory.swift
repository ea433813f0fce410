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
        do {
            if !auth.remoteURL.isEmpty {
                return try RemoteAuthClient(baseURL: auth.remoteURL, cacheTTL: 30)
            }
            var jwks: String?
            if !auth.jwksFile.isEmpty {
                do {
                    jwks = try String(contentsOfFile: auth.jwksFile, encoding: .utf8)
                } catch {
                    throw ReactorError(.configInvalid, "cannot read '\(auth.jwksFile)': \(error.localizedDescription)",
                                       details: ["field": "jwks"])
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
            try configuration.validate()
            return try await JWTAuthClient(configuration: configuration)
        } catch let error as ReactorError where error.code == .configInvalid {
            // The adapters name their own fields (`jwks`, `hmacSecrets[0]`); the user knows the Reactor.toml keys.
            let key = configKey(forField: error.details["field"] ?? "")
            var details = error.details
            details["key"] = key
            throw ReactorError(.configInvalid, "\(key): \(error.message)", details: details)
        }
    }

    /// The `Reactor.toml` key behind a field of ``JWTAuthConfiguration`` or ``RemoteAuthClient``.
    static func configKey(forField field: String) -> String {
        switch field.prefix(while: { $0 != "[" }) {
        case "hmacSecrets": "auth.hmac_secret"
        case "publicKeysPEM": "auth.public_keys"
        case "jwks": "auth.jwks_file"
        case "jwksURL": "auth.jwks_url"
        case "issuer": "auth.issuer"
        case "audience": "auth.audience"
        case "baseURL": "auth.remote_url"
        case "leeway": "auth.leeway_seconds"
        default: "[auth]"
        }
    }
}
