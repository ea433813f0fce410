import Foundation
import Logging
import PostgresNIO
import ReactorCore

/// The PostgreSQL ``IdentityStore``: tables `auth_users`, `auth_sessions` and `auth_api_keys` in the store's schema,
/// created by its migration 5 (``PostgresStore/migrate()``). It shares the ``PostgresStore``'s connection pool (which
/// must be running).
public struct PostgresIdentityStore: IdentityStore {
    private let store: PostgresStore
    private let users: String
    private let sessions: String
    private let keys: String

    /// The identity store in `store`'s schema.
    public init(store: PostgresStore) {
        self.store = store
        let s = store.tables.schema
        users = s + ".auth_users"
        sessions = s + ".auth_sessions"
        keys = s + ".auth_api_keys"
    }

    /// Schema version 5: the identity tables. Times are seconds since 1970; roles are JSON arrays.
    static func schemaV5(_ s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).auth_users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL,
                display_name TEXT NOT NULL,
                roles TEXT NOT NULL,
                disabled BOOLEAN NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                last_login_at DOUBLE PRECISION,
                password_hash TEXT,
                CONSTRAINT auth_users_email_key UNIQUE (email)
            )
            """,
            """
            CREATE TABLE \(s).auth_sessions (
                id TEXT PRIMARY KEY,
                family_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                used_at DOUBLE PRECISION,
                revoked BOOLEAN NOT NULL
            )
            """,
            "CREATE INDEX auth_sessions_by_family ON \(s).auth_sessions (family_id)",
            "CREATE INDEX auth_sessions_by_user ON \(s).auth_sessions (user_id)",
            """
            CREATE TABLE \(s).auth_api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                user_id TEXT NOT NULL,
                roles TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION
            )
            """,
            "CREATE INDEX auth_api_keys_by_user ON \(s).auth_api_keys (user_id, created_at)",
        ]
    }

    private static let userColumns = "id, email, display_name, roles, disabled, created_at, last_login_at, password_hash"
    private static let sessionColumns = "id, family_id, user_id, token_hash, created_at, expires_at, used_at, revoked"
    private static let keyColumns = "id, name, user_id, roles, key_hash, created_at, revoked_at"

    public func insertUser(_ record: UserRecord) async throws {
        let u = record.user
        let roles = try IdentityRoles.encode(u.roles)
        _ = try await run(
            "INSERT INTO \(unescaped: users) (\(unescaped: Self.userColumns)) VALUES (\(u.id), \(u.email), \(u.displayName), \(roles), \(u.disabled), \(u.createdAt.timeIntervalSince1970), \(u.lastLoginAt?.timeIntervalSince1970), \(record.passwordHash))"
        )
    }

    public func updateUser(_ record: UserRecord) async throws {
        let u = record.user
        let roles = try IdentityRoles.encode(u.roles)
        let rows = try await run(
            "UPDATE \(unescaped: users) SET email = \(u.email), display_name = \(u.displayName), roles = \(roles), disabled = \(u.disabled), last_login_at = \(u.lastLoginAt?.timeIntervalSince1970), password_hash = \(record.passwordHash) WHERE id = \(u.id) RETURNING id"
        )
        if rows.isEmpty { throw ReactorError(.userNotFound, "no user '\(u.id)'") }
    }

    public func user(id: String) async throws -> UserRecord? {
        try await run("SELECT \(unescaped: Self.userColumns) FROM \(unescaped: users) WHERE id = \(id)")
            .first.map(Self.userRecord)
    }

    public func user(email: String) async throws -> UserRecord? {
        try await run("SELECT \(unescaped: Self.userColumns) FROM \(unescaped: users) WHERE email = \(email)")
            .first.map(Self.userRecord)
    }

    public func users() async throws -> [UserRecord] {
        try await run("SELECT \(unescaped: Self.userColumns) FROM \(unescaped: users) ORDER BY created_at, id")
            .map(Self.userRecord)
    }

    public func userCount() async throws -> Int {
        let rows = try await run("SELECT count(*) FROM \(unescaped: users)")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func insertSession(_ r: SessionRecord) async throws {
        _ = try await run(
            "INSERT INTO \(unescaped: sessions) (\(unescaped: Self.sessionColumns)) VALUES (\(r.id), \(r.familyID), \(r.userID), \(r.tokenHash), \(r.createdAt.timeIntervalSince1970), \(r.expiresAt.timeIntervalSince1970), \(r.usedAt?.timeIntervalSince1970), \(r.revoked))"
        )
    }

    public func session(tokenHash: String) async throws -> SessionRecord? {
        try await run("SELECT \(unescaped: Self.sessionColumns) FROM \(unescaped: sessions) WHERE token_hash = \(tokenHash)")
            .first.map { row in
                let (id, family, user, hash, created, expires, used, revoked) = try row.decode(
                    (String, String, String, String, Double, Double, Double?, Bool).self)
                return SessionRecord(
                    id: id, familyID: family, userID: user, tokenHash: hash, createdAt: Date(timeIntervalSince1970: created),
                    expiresAt: Date(timeIntervalSince1970: expires), usedAt: used.map(Date.init(timeIntervalSince1970:)),
                    revoked: revoked)
            }
    }

    public func markSessionUsed(id: String, at: Date) async throws -> Bool {
        let rows = try await run(
            "UPDATE \(unescaped: sessions) SET used_at = \(at.timeIntervalSince1970) WHERE id = \(id) AND used_at IS NULL AND NOT revoked RETURNING id"
        )
        return rows.count == 1
    }

    public func revokeSessionFamily(_ familyID: String) async throws {
        _ = try await run("UPDATE \(unescaped: sessions) SET revoked = TRUE WHERE family_id = \(familyID)")
    }

    public func revokeSessions(userID: String) async throws {
        _ = try await run("UPDATE \(unescaped: sessions) SET revoked = TRUE WHERE user_id = \(userID)")
    }

    public func insertAPIKey(_ r: APIKeyRecord) async throws {
        let roles = try IdentityRoles.encode(r.roles)
        _ = try await run(
            "INSERT INTO \(unescaped: keys) (\(unescaped: Self.keyColumns)) VALUES (\(r.id), \(r.name), \(r.userID), \(roles), \(r.keyHash), \(r.createdAt.timeIntervalSince1970), \(r.revokedAt?.timeIntervalSince1970))"
        )
    }

    public func apiKey(keyHash: String) async throws -> APIKeyRecord? {
        try await run("SELECT \(unescaped: Self.keyColumns) FROM \(unescaped: keys) WHERE key_hash = \(keyHash)")
            .first.map(Self.keyRecord)
    }

    public func apiKeys(userID: String?) async throws -> [APIKeyRecord] {
        let rows: [PostgresRow]
        if let userID {
            rows = try await run(
                "SELECT \(unescaped: Self.keyColumns) FROM \(unescaped: keys) WHERE user_id = \(userID) ORDER BY created_at, id")
        } else {
            rows = try await run("SELECT \(unescaped: Self.keyColumns) FROM \(unescaped: keys) ORDER BY created_at, id")
        }
        return try rows.map(Self.keyRecord)
    }

    public func revokeAPIKey(id: String, at: Date) async throws -> Bool {
        let rows = try await run(
            "UPDATE \(unescaped: keys) SET revoked_at = coalesce(revoked_at, \(at.timeIntervalSince1970)) WHERE id = \(id) RETURNING id"
        )
        return rows.count == 1
    }

    // MARK: - Rows

    private static func userRecord(_ row: PostgresRow) throws -> UserRecord {
        let (id, email, name, roles, disabled, created, lastLogin, hash) = try row.decode(
            (String, String, String, String, Bool, Double, Double?, String?).self)
        return UserRecord(
            user: AuthUser(
                id: id, email: email, displayName: name, roles: try IdentityRoles.decode(roles), disabled: disabled,
                createdAt: Date(timeIntervalSince1970: created), lastLoginAt: lastLogin.map(Date.init(timeIntervalSince1970:))),
            passwordHash: hash)
    }

    private static func keyRecord(_ row: PostgresRow) throws -> APIKeyRecord {
        let (id, name, user, roles, hash, created, revoked) = try row.decode(
            (String, String, String, String, String, Double, Double?).self)
        return APIKeyRecord(
            id: id, name: name, userID: user, roles: try IdentityRoles.decode(roles), keyHash: hash,
            createdAt: Date(timeIntervalSince1970: created), revokedAt: revoked.map(Date.init(timeIntervalSince1970:)))
    }

    /// Runs one statement and collects its rows; a duplicate email is `EMAIL_TAKEN`, anything else `STORAGE_ERROR`.
    private func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await store.read { c in try await c.query(query, logger: store.logger).collect() }
        } catch let error as ReactorError where error.details["constraint"] == "auth_users_email_key" {
            throw ReactorError(.emailTaken, "an account with this email exists")
        }
    }
}
