/// One action a model accepts, for discovery (`GET /reactor/v1/models`) and generated forms.
public struct ActionDescription: Sendable, Hashable, Codable {
    /// The action type, e.g. `ADD_TODO`.
    public var type: String
    /// The scope the action applies to.
    public var scope: String
    /// The JSON Schema of the action's input, or nil when the action takes none.
    public var input: JSONValue?
    /// What the action does, in a sentence; may be empty.
    public var summary: String

    /// Describes an action.
    public init(type: String, scope: String = Scope.global, input: JSONValue? = nil, summary: String = "") {
        self.type = type
        self.scope = scope
        self.input = input
        self.summary = summary
    }

    /// The action as JSON: `{"type", "scope", "input", "summary"?}`.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["type": .string(type), "scope": .string(scope), "input": input ?? .null]
        if !summary.isEmpty { members["summary"] = .string(summary) }
        return .object(members)
    }

    /// An action read from its JSON form (a model's declaration). Throws `MODEL_INVALID` naming the field under `path`.
    public init(json: JSONValue, path: String) throws {
        guard case .object(let members) = json else {
            throw ReactorError.modelInvalid("an action must be an object {\"type\", \"scope\"?, \"input\"?, \"summary\"?}", path: path)
        }
        guard let type = members["type"]?.stringValue else {
            throw ReactorError.modelInvalid("an action needs a type (a string)", path: "\(path).type")
        }
        if let problem = Identifiers.actionType.problem(type) {
            throw ReactorError.modelInvalid("action type '\(Identifiers.printable(type))' \(problem)", path: "\(path).type")
        }
        let scope = members["scope"].flatMap { $0 == .null ? nil : $0 }
        guard scope == nil || scope?.stringValue != nil else {
            throw ReactorError.modelInvalid("an action's scope must be a string", path: "\(path).scope")
        }
        let input = members["input"].flatMap { $0 == .null ? nil : $0 }
        if let input { try JSONSchemaCheck.validate(input, path: "\(path).input") }
        let summary = members["summary"].flatMap { $0 == .null ? nil : $0 }
        guard summary == nil || summary?.stringValue != nil else {
            throw ReactorError.modelInvalid("an action's summary must be a string", path: "\(path).summary")
        }
        self.init(type: type, scope: scope?.stringValue ?? Scope.global, input: input, summary: summary?.stringValue ?? "")
    }
}

/// The light check a declared JSON Schema gets: a schema is an object (or `true`/`false`) whose `type`, if present,
/// is one of JSON Schema's type names. Reactor does not validate actions against declared schemas (the model's
/// `validate` does); the schemas describe inputs and states to people and generated forms.
public enum JSONSchemaCheck {
    static let typeNames: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    /// Throws `MODEL_INVALID` at `path` when `schema` is not a schema.
    public static func validate(_ schema: JSONValue, path: String) throws {
        switch schema {
        case .bool: return
        case .object(let members):
            guard let type = members["type"] else { return }
            let names = type.arrayValue ?? [type]
            for name in names where !(name.stringValue.map(typeNames.contains) ?? false) {
                throw ReactorError.modelInvalid("'type' must be one of \(typeNames.sorted().joined(separator: ", ")) (or an array of them)", path: "\(path).type")
            }
        default:
            throw ReactorError.modelInvalid("a JSON Schema must be an object (or true/false)", path: path)
        }
    }
}
