/// Whom a grant is for. Its text form is what `SET_PERMISSION` takes: `user:<id>`, `role:<name>`, `authenticated`
/// or `anyone`.
public enum GrantPrincipal: Sendable, Hashable, CustomStringConvertible {
    /// One user (or service), by the `sub` of its tokens.
    case user(String)
    /// Every caller whose token carries the role.
    case role(String)
    /// Every caller with a valid token.
    case authenticated
    /// Every caller, with or without a token.
    case anyone

    /// The longest user id or role name a grant may name, in bytes.
    public static let maxNameBytes = 256

    /// Parses the text form; nil when it is not one.
    public init?(_ text: String) {
        switch text {
        case "authenticated": self = .authenticated
        case "anyone": self = .anyone
        default:
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty, parts[1].utf8.count <= Self.maxNameBytes,
                  !parts[1].unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { return nil }
            switch parts[0] {
            case "user": self = .user(String(parts[1]))
            case "role": self = .role(String(parts[1]))
            default: return nil
            }
        }
    }

    /// The text form.
    public var description: String {
        switch self {
        case .user(let id): "user:\(id)"
        case .role(let name): "role:\(name)"
        case .authenticated: "authenticated"
        case .anyone: "anyone"
        }
    }

    /// Whether the grant applies to `principal`.
    public func matches(_ principal: Principal) -> Bool {
        switch self {
        case .anyone: true
        case .authenticated: principal.subject != nil
        case .user(let id): principal.subject == id
        case .role(let name): principal.roles.contains(name)
        }
    }
}

/// One entry of a document's grants: `principal` may do `capability`.
public struct Grant: Sendable, Hashable {
    public var principal: GrantPrincipal
    public var capability: Capability

    public init(_ principal: GrantPrincipal, _ capability: Capability) {
        self.principal = principal
        self.capability = capability
    }

    /// The grant's JSON form in the document scope's state: `{"principal": "user:bob", "capability": "read"}`.
    public var json: JSONValue {
        .object(["principal": .string(principal.description), "capability": .string(capability.rawValue)])
    }

    /// Reads the JSON form; nil when it is not one.
    public init?(json: JSONValue) {
        guard let principal = json["principal"]?.stringValue.flatMap(GrantPrincipal.init),
              let capability = json["capability"]?.stringValue.flatMap(Capability.init(rawValue:))
        else { return nil }
        self.init(principal, capability)
    }
}
