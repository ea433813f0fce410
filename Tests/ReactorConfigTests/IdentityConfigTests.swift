import Foundation
import ReactorConfig
import ReactorCore
import Testing

/// Identity (issue 14): the `[auth]` keys of the identity service.
@Suite("Identity configuration", .timeLimit(.minutes(2)))
struct IdentityConfigTests {
    @Test func keysLoadWithTheirDefaults() throws {
        let defaults = try ConfigLoader.parse("[auth]\nservice = true\n")
        #expect(defaults.auth.service && defaults.auth.signup)
        #expect(defaults.auth.accessTokenTTLSeconds == 900)
        #expect(defaults.auth.refreshTokenTTLSeconds == 2_592_000)
        #expect(defaults.auth.scryptLogN == 15 && defaults.auth.scryptR == 8 && defaults.auth.scryptP == 1)
        let set = try ConfigLoader.parse("""
            [auth]
            service = true
            signup = false
            access_token_ttl_seconds = 300
            scrypt_log_n = 14
            login_attempts_per_account = 3
            """, environment: ["REACTOR_AUTH__LOGIN_WINDOW_SECONDS": "60"])
        #expect(!set.auth.signup)
        #expect(set.auth.accessTokenTTLSeconds == 300 && set.auth.scryptLogN == 14)
        #expect(set.auth.loginAttemptsPerAccount == 3 && set.auth.loginWindowSeconds == 60)
    }

    @Test func outOfRangeValuesAndAMissingVaultAreNamed() throws {
        let range = try configError("[auth]\nservice = true\nscrypt_log_n = 30\n")
        #expect(range.message.contains("auth.scrypt_log_n: must be 1 to 20, got 30"), "\(range.message)")
        let ttl = try configError("[auth]\nservice = true\naccess_token_ttl_seconds = 10\n")
        #expect(ttl.message.contains("auth.access_token_ttl_seconds"), "\(ttl.message)")
        let vault = try configError("[vault]\nbackend = \"none\"\n[auth]\nservice = true\n")
        #expect(vault.message.contains("auth.service"), "\(vault.message)")
    }
}
