import ReactorCore

/// Reduces the system actions of the `document` scope.
///
/// The document-scope state is a JSON object: `documentType`, `modelVersion` (null until given or upgraded), `name`,
/// `slug`, `meta`, `deleted` and `relationships` (sorted `{targetId, type}` pairs); `createdBy` when the create named
/// a creator, and `grants` (`[{principal, capability}]`, oldest first) once a permission was set. The header the view
/// stores is derived from it.
enum SystemReducer {
    static let maxNameLength = 1_024

    /// Checks an action's shape without state. Cross-document checks (targets exist, no cycles) are the executor's.
    static func validate(_ action: Action) throws {
        switch action.type {
        case SystemAction.create:
            guard let type = action.input["documentType"]?.stringValue, !type.isEmpty else {
                throw ReactorError.invalidInput("CREATE_DOCUMENT needs a non-empty string 'documentType'", path: "input.documentType")
            }
            try Identifiers.documentType.check(type, path: "input.documentType")
            if let slug = action.input["slug"], slug != .null { try validateSlug(slug) }
            if let name = action.input["name"], name != .null { try validateName(name) }
            if let meta = action.input["meta"], meta != .null, meta.objectValue == nil {
                throw ReactorError.invalidInput("'meta' must be an object", path: "input.meta")
            }
            if let creator = action.input["createdBy"], creator != .null {
                guard let text = creator.stringValue, GrantPrincipal("user:" + text) != nil else {
                    throw ReactorError.invalidInput("'createdBy' must be a user id (1 to \(GrantPrincipal.maxNameBytes) bytes)", path: "input.createdBy")
                }
            }
        case SystemAction.delete:
            break
        case SystemAction.addRelationship, SystemAction.removeRelationship:
            guard let target = action.input["targetId"]?.stringValue, !target.isEmpty else {
                throw ReactorError.invalidInput("\(action.type) needs a non-empty string 'targetId'", path: "input.targetId")
            }
            try Identifiers.documentID.check(target, path: "input.targetId")
            if let type = action.input["type"], type != .null {
                guard let name = type.stringValue, !name.isEmpty else {
                    throw ReactorError.invalidInput("relationship 'type' must be a non-empty string", path: "input.type")
                }
                try Identifiers.relationshipType.check(name, path: "input.type")
            }
        case SystemAction.setName:
            try validateName(action.input["name"] ?? .null)
        case SystemAction.setSlug:
            let slug = action.input["slug"] ?? .null
            if slug != .null { try validateSlug(slug) }
        case SystemAction.setPermission:
            _ = try grantPrincipal(action)
            guard let text = action.input["capability"]?.stringValue, Capability(rawValue: text) != nil else {
                throw ReactorError.invalidInput("SET_PERMISSION needs 'capability': one of none, read, write, administer", path: "input.capability")
            }
        case SystemAction.removePermission:
            _ = try grantPrincipal(action)
        case SystemAction.upgrade:
            guard let v = action.input["toVersion"]?.intValue, v > 0 else {
                throw ReactorError.invalidInput("UPGRADE_DOCUMENT needs a positive integer 'toVersion'", path: "input.toVersion")
            }
        default:
            throw ReactorError(.unknownAction, "unknown system action '\(action.type)' in scope 'document'",
                               details: ["actionType": action.type])
        }
    }

    /// The `principal` of a permission action.
    static func grantPrincipal(_ action: Action) throws -> GrantPrincipal {
        guard let text = action.input["principal"]?.stringValue, let principal = GrantPrincipal(text) else {
            throw ReactorError.invalidInput("\(action.type) needs 'principal': user:<id>, role:<name>, authenticated or anyone", path: "input.principal")
        }
        return principal
    }

    static func validateSlug(_ value: JSONValue) throws {
        guard let slug = value.stringValue else { throw ReactorError.invalidInput("slug must be a string", path: "input.slug") }
        try Identifiers.slug.check(slug, path: "input.slug")
    }

    /// A name is display text: any script, emoji sequences (joined by zero-width joiners) included; but no control
    /// characters and no bidi embeddings, overrides or isolates, which make a name display as something else.
    static func validateName(_ value: JSONValue) throws {
        guard let name = value.stringValue, name.utf8.count <= maxNameLength else {
            throw ReactorError.invalidInput("name must be a string of at most \(maxNameLength) bytes", path: "input.name")
        }
        if let bad = name.unicodeScalars.first(where: { $0.properties.generalCategory == .control || isBidiControl($0) }) {
            throw ReactorError.invalidInput("name must not contain control or bidi control characters (U+\(String(bad.value, radix: 16, uppercase: true)))",
                                            path: "input.name")
        }
    }

    /// Bidi embeddings, overrides, isolates and marks (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The state a `CREATE_DOCUMENT` action produces.
    static func created(by action: Action) -> JSONValue {
        let input = action.input
        var state: [String: JSONValue] = [
            "documentType": input["documentType"] ?? .null,
            "modelVersion": input["modelVersion"] ?? .null,
            "name": input["name"].flatMap { $0 == .null ? nil : $0 } ?? .string(""),
            "slug": input["slug"] ?? .null,
            "meta": input["meta"].flatMap { $0 == .null ? nil : $0 } ?? .emptyObject,
            "deleted": .bool(false),
            "relationships": .array([]),
        ]
        // Only when given, so documents created without permissions keep the state (and hash) they always had.
        if let creator = input["createdBy"], creator != .null { state["createdBy"] = creator }
        return .object(state)
    }

    /// Reduces a system action other than create.
    static func reduce(_ state: JSONValue, _ action: Action) throws -> JSONValue {
        if action.type == SystemAction.create { return created(by: action) }
        guard var s = state.objectValue else { throw ReactorError(.internal, "document scope state is not an object") }
        switch action.type {
        case SystemAction.delete:
            s["deleted"] = .bool(true)
        case SystemAction.setName:
            s["name"] = action.input["name"] ?? .string("")
        case SystemAction.setSlug:
            s["slug"] = action.input["slug"] ?? .null
        case SystemAction.upgrade:
            s["modelVersion"] = action.input["toVersion"] ?? .null
        case SystemAction.setPermission, SystemAction.removePermission:
            let principal = (try grantPrincipal(action)).description
            var grants = (s["grants"]?.arrayValue ?? []).filter { $0["principal"]?.stringValue != principal }
            if action.type == SystemAction.setPermission {
                grants.append(.object(["principal": .string(principal), "capability": action.input["capability"] ?? .string("none")]))
            }
            s["grants"] = .array(grants)
        case SystemAction.addRelationship, SystemAction.removeRelationship:
            let target = action.input["targetId"]?.stringValue ?? ""
            let type = action.input["type"]?.stringValue ?? Relationship.child
            var list = (s["relationships"]?.arrayValue ?? []).filter {
                !($0["targetId"]?.stringValue == target && $0["type"]?.stringValue == type)
            }
            if action.type == SystemAction.addRelationship {
                list.append(.object(["targetId": .string(target), "type": .string(type)]))
                list.sort { ($0["type"]?.stringValue ?? "", $0["targetId"]?.stringValue ?? "") < ($1["type"]?.stringValue ?? "", $1["targetId"]?.stringValue ?? "") }
            }
            s["relationships"] = .array(list)
        default:
            throw ReactorError(.unknownAction, "unknown system action '\(action.type)'", details: ["actionType": action.type])
        }
        return .object(s)
    }

    /// The relationship an add/remove action names.
    static func relationship(of action: Action, source: String) -> Relationship {
        Relationship(sourceID: source, targetID: action.input["targetId"]?.stringValue ?? "",
                     type: action.input["type"]?.stringValue ?? Relationship.child)
    }
}
