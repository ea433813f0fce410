import ReactorConfig
import ReactorCore

/// Builds the `AuthClient` named by `[auth]` (nil when auth is disabled).
enum AuthFactory {
    static func make(_ auth: ReactorConfiguration.AuthSection) async throws -> (any AuthClient)? {
        guard auth.enabled else { return nil }
        throw ReactorError(.unsupported, "auth adapters are not wired yet")
    }
}
