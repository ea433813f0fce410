import Foundation
import ReactorConfig
import ReactorCore
import ReactorIdentity
import ReactorMemory
import ReactorSQLite
#if Postgres
import ReactorPostgres
#endif

/// Identity (issue 14): builds the identity service named by `auth.service`, on the server's own store.
public enum IdentityFactory {
    /// The identity service's settings from a resolved `[auth]` section.
    public static func configuration(_ auth: ReactorConfiguration.AuthSection) -> IdentityConfiguration {
        IdentityConfiguration(
            issuer: auth.issuer.isEmpty ? "reactor" : auth.issuer,
            audience: auth.audience.isEmpty ? "reactor" : auth.audience,
            signupEnabled: auth.signup,
            accessTokenTTL: TimeInterval(auth.accessTokenTTLSeconds),
            refreshTokenTTL: TimeInterval(auth.refreshTokenTTLSeconds),
            scrypt: ScryptParameters(logN: auth.scryptLogN, r: auth.scryptR, p: auth.scryptP),
            loginAttemptsPerAccount: auth.loginAttemptsPerAccount,
            loginAttemptsPerAddress: auth.loginAttemptsPerAddress,
            loginWindow: TimeInterval(auth.loginWindowSeconds),
            leeway: TimeInterval(auth.leewaySeconds))
    }

    /// The identity tables of `store`: in its SQLite file or PostgreSQL schema, or in memory beside the in-memory store.
    public static func identityStore(for store: any ReactorStore) -> any IdentityStore {
        if let sqlite = store as? SQLiteStore { return SQLiteIdentityStore(store: sqlite) }
        #if Postgres
        if let postgres = store as? PostgresStore { return PostgresIdentityStore(store: postgres) }
        #endif
        return InMemoryIdentityStore()
    }

    /// The identity service when `auth.service` is on (nil otherwise). `CONFIG_INVALID` without a vault.
    public static func make(
        _ resolved: ReactorConfiguration, store: any ReactorStore, vault: (any Vault)?
    ) async throws -> IdentityService? {
        guard resolved.auth.service else { return nil }
        guard let vault else {
            throw ReactorError(
                .configInvalid, "auth.service needs a vault for its signing keys; set vault.backend",
                details: ["key": "auth.service"])
        }
        return try await IdentityService(
            store: identityStore(for: store), vault: vault, configuration: configuration(resolved.auth))
    }
}
