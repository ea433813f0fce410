import Foundation
import ReactorCore

extension IdentityService {
    /// Signs up a new user and logs them in. The first user of the service becomes an admin.
    ///
    /// - Throws: `SIGNUP_DISABLED`, `INVALID_INPUT` (email, password, display name), `EMAIL_TAKEN`.
    public func signUp(email: String, password: String, displayName: String? = nil) async throws -> TokenGrant {
        guard configuration.signupEnabled else {
            throw ReactorError(.signupDisabled, "sign-up is turned off on this server; ask an admin for an account")
        }
        let first = try await store.userCount() == 0
        var user = try await createUser(
            email: email, password: password, displayName: displayName, roles: first ? [Self.adminRole] : [])
        // Two sign-ups racing on an empty service (on this node or another) both saw no user: only the oldest keeps
        // the admin role.
        if first, try await store.users().first?.user.id != user.id {
            user = try await setRoles(userID: user.id, [])
        }
        return try await grant(for: user)
    }

    /// The role that opens the users and keys admin endpoints and `/_admin`.
    public static let adminRole = "admin"

    /// Creates a user (the admin endpoint, `reactor user create`, sign-up). Sign-up being off does not matter here.
    ///
    /// - Throws: `INVALID_INPUT` (email, password, display name, roles), `EMAIL_TAKEN`.
    public func createUser(
        email: String, password: String, displayName: String? = nil, roles: [String] = []
    ) async throws -> AuthUser {
        let email = try Self.normalisedEmail(email)
        try PasswordHasher.checkPolicy(password, field: "password")
        let name = try Self.checkedDisplayName(displayName ?? String(email.prefix { $0 != "@" }))
        let user = AuthUser(
            id: UUID().uuidString.lowercased(), email: email, displayName: name, roles: try Self.checkedRoles(roles),
            createdAt: Self.wholeSeconds(now()))
        let hash = try await hashPassword(password)
        try await store.insertUser(UserRecord(user: user, passwordHash: hash))
        return user
    }

    /// Logs in with email and password from `address` (the client's IP, for the rate limit).
    ///
    /// - Throws: `INVALID_CREDENTIALS` for an unknown email or a wrong password (the same answer, the same work),
    ///   `TOO_MANY_LOGIN_ATTEMPTS` (with `retryAfterSeconds`) when the account or the address failed too often in
    ///   the window, `USER_DISABLED` for a disabled account with the right password.
    public func login(email: String, password: String, address: String?) async throws -> TokenGrant {
        let normalised = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let accountKey = "account:" + normalised
        let addressKey = address.map { "address:" + $0 }
        let time = now()
        var wait = limiter.retryAfter(accountKey, limit: configuration.loginAttemptsPerAccount, now: time)
        if let addressKey, let seconds = limiter.retryAfter(addressKey, limit: configuration.loginAttemptsPerAddress, now: time) {
            wait = max(wait ?? 0, seconds)
        }
        if let wait {
            throw ReactorError(
                .tooManyLoginAttempts, "too many failed logins; try again in \(wait) seconds",
                details: ["retryAfterSeconds": "\(wait)"])
        }
        let record = try await store.user(email: normalised)
        let matches = await checkPassword(password, against: record?.passwordHash)
        guard let record, matches else {
            limiter.recordFailure(accountKey, now: time)
            if let addressKey { limiter.recordFailure(addressKey, now: time) }
            throw ReactorError(.invalidCredentials, "the email or the password is wrong")
        }
        limiter.reset(accountKey)
        if record.user.disabled { throw ReactorError(.userDisabled, "the account is disabled") }
        var updated = record
        updated.user.lastLoginAt = Self.wholeSeconds(time)
        try await store.updateUser(updated)
        return try await grant(for: updated.user)
    }

    /// Changes a user's password after checking the current one; every session of the user ends (log in again).
    ///
    /// - Throws: `INVALID_CREDENTIALS` when `currentPassword` is wrong (counted by the rate limit),
    ///   `TOO_MANY_LOGIN_ATTEMPTS`, `INVALID_INPUT` for a too short or too long new password.
    public func changePassword(userID: String, currentPassword: String, newPassword: String) async throws {
        var record = try await self.record(id: userID)
        let key = "account:" + record.user.email
        if let wait = limiter.retryAfter(key, limit: configuration.loginAttemptsPerAccount, now: now()) {
            throw ReactorError(
                .tooManyLoginAttempts, "too many failed attempts; try again in \(wait) seconds",
                details: ["retryAfterSeconds": "\(wait)"])
        }
        guard await checkPassword(currentPassword, against: record.passwordHash) else {
            limiter.recordFailure(key, now: now())
            throw ReactorError(.invalidCredentials, "the current password is wrong")
        }
        try PasswordHasher.checkPolicy(newPassword, field: "newPassword")
        record.passwordHash = try await hashPassword(newPassword)
        try await store.updateUser(record)
        try await store.revokeSessions(userID: userID)
    }

    /// Every user, oldest first.
    public func users() async throws -> [AuthUser] {
        try await store.users().map(\.user)
    }

    /// The user with this email (normalised), if any.
    public func user(email: String) async throws -> AuthUser? {
        try await store.user(email: email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())?.user
    }

    /// Disables or enables a user. Disabling ends every session (refresh fails) and stops the user's API keys at
    /// once; access tokens already issued run out within ``IdentityConfiguration/accessTokenTTL``.
    public func setDisabled(userID: String, _ disabled: Bool) async throws -> AuthUser {
        var record = try await self.record(id: userID)
        record.user.disabled = disabled
        try await store.updateUser(record)
        if disabled { try await store.revokeSessions(userID: userID) }
        return record.user
    }

    /// Replaces a user's roles (new tokens carry them; API keys are limited to them at once).
    public func setRoles(userID: String, _ roles: [String]) async throws -> AuthUser {
        var record = try await self.record(id: userID)
        record.user.roles = try Self.checkedRoles(roles)
        try await store.updateUser(record)
        return record.user
    }

    // MARK: - Input

    /// The email trimmed and lower-cased; `INVALID_INPUT` unless it looks like `local@domain`.
    static func normalisedEmail(_ email: String) throws(ReactorError) -> String {
        let text = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let printable = text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 1, text.count <= 254, printable else {
            throw ReactorError(.invalidInput, "the email is not an address (name@domain)", details: ["path": "email"])
        }
        return text
    }

    static func checkedDisplayName(_ name: String) throws(ReactorError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= 200, trimmed.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw ReactorError(
                .invalidInput, "the display name must be at most 200 printable characters",
                details: ["path": "displayName"])
        }
        return trimmed
    }

    /// Roles: at most 32, each 1 to 64 of `a-z 0-9 _ . -`, without repeats (order kept).
    static func checkedRoles(_ roles: [String]) throws(ReactorError) -> [String] {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_.-")
        var seen: [String] = []
        for role in roles where !seen.contains(role) {
            guard (1...64).contains(role.count), role.allSatisfy(allowed.contains) else {
                throw ReactorError(
                    .invalidInput, "a role is 1 to 64 of a-z, 0-9, '_', '.', '-'", details: ["path": "roles"])
            }
            seen.append(role)
        }
        guard seen.count <= 32 else {
            throw ReactorError(.invalidInput, "at most 32 roles", details: ["path": "roles"])
        }
        return seen
    }

    /// `date` rounded down to whole seconds (what the JSON bodies show).
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
