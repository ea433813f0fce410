/// Who is calling, as document permissions see it: a subject with roles, an anonymous caller, or the unrestricted
/// local caller of a server without `[auth]` (and of the in-process API).
public struct Principal: Sendable, Hashable {
    /// The user or service id (a token's `sub`); nil for a caller without a token.
    public var subject: String?
    /// The caller's roles.
    public var roles: Set<String>
    /// Whether document permissions do not apply (no `[auth]`: the one local user).
    public var isUnrestricted: Bool

    /// The role that administers every document.
    public static let adminRole = "admin"

    /// A caller identified by `subject` with `roles`.
    public init(subject: String, roles: some Sequence<String> = []) {
        self.subject = subject
        self.roles = Set(roles)
        self.isUnrestricted = false
    }

    private init(unrestricted: Bool) {
        self.subject = nil
        self.roles = []
        self.isUnrestricted = unrestricted
    }

    /// The bearer of verified `claims`.
    public init(claims: AuthClaims) { self.init(subject: claims.subject, roles: claims.roles) }

    /// A caller without a token: only documents granted to `anyone` are visible.
    public static let anonymous = Principal(unrestricted: false)
    /// Permissions off: every document, every capability.
    public static let unrestricted = Principal(unrestricted: true)

    /// Whether the caller has no token.
    public var isAnonymous: Bool { subject == nil && !isUnrestricted }
    /// Whether every document is the caller's to administer (unrestricted, or the `admin` role).
    public var administersEverything: Bool { isUnrestricted || roles.contains(Self.adminRole) }
}
