import Foundation
import GRDB
import ReactorCore

/// The SQLite ``IdentityStore``: tables `auth_users`, `auth_sessions` and `auth_api_keys` in the store's file,
/// created by its migration `v4` (``SQLiteStore/migrate()``). It shares the ``SQLiteStore``'s connection pool.
public struct SQLiteIdentityStore: IdentityStore {
    private let pool: DatabasePool

    /// The identity store in `store`'s file (migrate the store first).
    public init(store: SQLiteStore) {
        self.pool = store.pool
    }

    /// Schema version 4: the identity tables. Times are seconds since 1970 (REAL); roles are JSON arrays.
    static let schemaV4 = """
        CREATE TABLE auth_users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            roles TEXT NOT NULL,
            disabled INTEGER NOT NULL,
            created_at REAL NOT NULL,
            last_login_at REAL,
            password_hash TEXT
        ) WITHOUT ROWID;
        CREATE TABLE auth_sessions (
            id TEXT PRIMARY KEY,
            family_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            used_at REAL,
            revoked INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX auth_sessions_by_family ON auth_sessions(family_id);
        CREATE INDEX auth_sessions_by_user ON auth_sessions(user_id);
        CREATE TABLE auth_api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            user_id TEXT NOT NULL,
            roles TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL,
            revoked_at REAL
        ) WITHOUT ROWID;
        CREATE INDEX auth_api_keys_by_user ON auth_api_keys(user_id, created_at);
        """

    private static let userColumns = "id, email, display_name, roles, disabled, created_at, last_login_at, password_hash"
    private static let sessionColumns = "id, family_id, user_id, token_hash, created_at, expires_at, used_at, revoked"
    private static let keyColumns = "id, name, user_id, roles, key_hash, created_at, revoked_at"

    public func insertUser(_ record: UserRecord) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO auth_users (\(Self.userColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: Self.userArguments(record))
        }
    }

    public func updateUser(_ record: UserRecord) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE auth_users SET email = ?2, display_name = ?3, roles = ?4, disabled = ?5, created_at = ?6,
                    last_login_at = ?7, password_hash = ?8 WHERE id = ?1
                    """, arguments: Self.userArguments(record))
            if db.changesCount == 0 { throw ReactorError(.userNotFound, "no user '\(record.user.id)'") }
        }
    }

    public func user(id: String) async throws -> UserRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM auth_users WHERE id = ?", arguments: [id])
                .map(Self.userRecord)
        }
    }

    public func user(email: String) async throws -> UserRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM auth_users WHERE email = ?", arguments: [email])
                .map(Self.userRecord)
        }
    }

    public func users() async throws -> [UserRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM auth_users ORDER BY created_at, id")
                .map(Self.userRecord)
        }
    }

    public func userCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM auth_users") ?? 0 }
    }

    public func insertSession(_ record: SessionRecord) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO auth_sessions (\(Self.sessionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    record.id, record.familyID, record.userID, record.tokenHash,
                    record.createdAt.timeIntervalSince1970, record.expiresAt.timeIntervalSince1970,
                    record.usedAt?.timeIntervalSince1970, record.revoked,
                ])
        }
    }

    public func session(tokenHash: String) async throws -> SessionRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.sessionColumns) FROM auth_sessions WHERE token_hash = ?", arguments: [tokenHash]
            ).map { row in
                SessionRecord(
                    id: row[0], familyID: row[1], userID: row[2], tokenHash: row[3],
                    createdAt: Date(timeIntervalSince1970: row[4]), expiresAt: Date(timeIntervalSince1970: row[5]),
                    usedAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)), revoked: row[7])
            }
        }
    }

    public func markSessionUsed(id: String, at: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE auth_sessions SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked = 0",
                arguments: [at.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
    }

    public func revokeSessionFamily(_ familyID: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE auth_sessions SET revoked = 1 WHERE family_id = ?", arguments: [familyID])
        }
    }

    public func revokeSessions(userID: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE auth_sessions SET revoked = 1 WHERE user_id = ?", arguments: [userID])
        }
    }

    public func insertAPIKey(_ record: APIKeyRecord) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO auth_api_keys (\(Self.keyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    record.id, record.name, record.userID, try IdentityRoles.encode(record.roles), record.keyHash,
                    record.createdAt.timeIntervalSince1970, record.revokedAt?.timeIntervalSince1970,
                ])
        }
    }

    public func apiKey(keyHash: String) async throws -> APIKeyRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.keyColumns) FROM auth_api_keys WHERE key_hash = ?", arguments: [keyHash])
                .map(Self.keyRecord)
        }
    }

    public func apiKeys(userID: String?) async throws -> [APIKeyRecord] {
        try await read { db in
            if let userID {
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.keyColumns) FROM auth_api_keys WHERE user_id = ? ORDER BY created_at, id",
                    arguments: [userID]
                ).map(Self.keyRecord)
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.keyColumns) FROM auth_api_keys ORDER BY created_at, id")
                .map(Self.keyRecord)
        }
    }

    public func revokeAPIKey(id: String, at: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE auth_api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                arguments: [at.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
    }

    // MARK: - Rows

    private static func userArguments(_ record: UserRecord) throws -> StatementArguments {
        let u = record.user
        return [
            u.id, u.email, u.displayName, try IdentityRoles.encode(u.roles), u.disabled,
            u.createdAt.timeIntervalSince1970, u.lastLoginAt?.timeIntervalSince1970, record.passwordHash,
        ]
    }

    private static func userRecord(_ row: Row) throws -> UserRecord {
        UserRecord(
            user: AuthUser(
                id: row[0], email: row[1], displayName: row[2], roles: try IdentityRoles.decode(row[3]),
                disabled: row[4], createdAt: Date(timeIntervalSince1970: row[5]),
                lastLoginAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:))),
            passwordHash: row[7])
    }

    private static func keyRecord(_ row: Row) throws -> APIKeyRecord {
        APIKeyRecord(
            id: row[0], name: row[1], userID: row[2], roles: try IdentityRoles.decode(row[3]), keyHash: row[4],
            createdAt: Date(timeIntervalSince1970: row[5]),
            revokedAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    // MARK: - Access

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await SideTableAccess(pool: pool, failure: Self.failure).read(body)
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await SideTableAccess(pool: pool, failure: Self.failure).write(body)
    }

    @Sendable private static func failure(_ error: any Error) -> any Error {
        if let error = error as? ReactorError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT,
            (error.message ?? "").contains("auth_users.email")
        {
            return ReactorError(.emailTaken, "an account with this email exists")
        }
        return ReactorError(.storage, "the SQLite identity store failed", details: ["underlying": "\(error)"])
    }
}
