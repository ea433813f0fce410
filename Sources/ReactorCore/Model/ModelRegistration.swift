/// A request to register a document model at run time (`POST /reactor/v1/models`, `reactor models add`, `[[models]]`
/// in `Reactor.toml`): the module and what the module does not say about itself.
public struct ModelRegistration: Sendable, Hashable {
    /// The document type (``Identifiers/documentType``), which must not be a built-in model's.
    public var documentType: String
    /// The model version, 1 or more.
    public var version: Int
    /// The module: a binary WebAssembly module, or WAT text (compiled at registration).
    public var module: [UInt8]
    /// The scopes the model keeps state for. Default `["global", "local"]`.
    public var scopes: [String]
    /// The state of each scope at creation; a scope without one starts as `{}`.
    public var initialState: [String: JSONValue]
    /// The fuel one action may use; nil for the server's default.
    public var fuelPerAction: UInt64?
    /// The actions the model accepts, with the JSON Schema of their input (discovery and the console's forms).
    public var actions: [ActionDescription] = []
    /// The JSON Schema of each scope's state.
    public var stateSchemas: [String: JSONValue] = [:]

    /// Creates a registration.
    public init(
        documentType: String, version: Int, module: [UInt8], scopes: [String] = [Scope.global, Scope.local],
        initialState: [String: JSONValue] = [:], fuelPerAction: UInt64? = nil
    ) {
        self.documentType = documentType
        self.version = version
        self.module = module
        self.scopes = scopes
        self.initialState = initialState
        self.fuelPerAction = fuelPerAction
    }

    /// Checks everything but the module: the document type, the version, the scopes and initial states, the fuel.
    /// Throws `MODEL_INVALID` naming the field.
    public func validate() throws {
        if let problem = Identifiers.documentType.problem(documentType) {
            throw ReactorError.modelInvalid("document type '\(Identifiers.printable(documentType))' \(problem)", path: "documentType")
        }
        guard version >= 1, version <= Int(Int32.max) else {
            throw ReactorError.modelInvalid("version must be an integer from 1 to \(Int32.max), not \(version)", path: "version")
        }
        guard !scopes.isEmpty else { throw ReactorError.modelInvalid("a model needs at least one scope", path: "scopes") }
        for scope in scopes {
            if let problem = Identifiers.scope.problem(scope) {
                throw ReactorError.modelInvalid("scope '\(Identifiers.printable(scope))' \(problem)", path: "scopes")
            }
            guard scope != Scope.document else {
                throw ReactorError.modelInvalid("the 'document' scope is the system's: a model cannot declare it", path: "scopes")
            }
        }
        guard Set(scopes).count == scopes.count else { throw ReactorError.modelInvalid("scopes repeat a name", path: "scopes") }
        for scope in initialState.keys.sorted() where !scopes.contains(scope) {
            throw ReactorError.modelInvalid(
                "initialState names scope '\(Identifiers.printable(scope))', which is not one of the model's scopes (\(scopes.joined(separator: ", ")))",
                path: "initialState.\(scope)")
        }
        for (i, action) in actions.enumerated() where !scopes.contains(action.scope) {
            throw ReactorError.modelInvalid(
                "action '\(action.type)' names scope '\(Identifiers.printable(action.scope))', which is not one of the model's scopes (\(scopes.joined(separator: ", ")))",
                path: "actions[\(i)].scope")
        }
        if let repeated = Dictionary(grouping: actions, by: { "\($0.scope)/\($0.type)" }).first(where: { $0.value.count > 1 }) {
            throw ReactorError.modelInvalid("action \(repeated.key) is declared twice", path: "actions")
        }
        for (scope, schema) in stateSchemas.sorted(by: { $0.key < $1.key }) {
            guard scopes.contains(scope) else {
                throw ReactorError.modelInvalid(
                    "stateSchemas names scope '\(Identifiers.printable(scope))', which is not one of the model's scopes (\(scopes.joined(separator: ", ")))",
                    path: "stateSchemas.\(scope)")
            }
            try JSONSchemaCheck.validate(schema, path: "stateSchemas.\(scope)")
        }
        if let fuelPerAction, fuelPerAction == 0 || fuelPerAction > 1 << 53 {
            throw ReactorError.modelInvalid("fuelPerAction must be from 1 to 2^53, not \(fuelPerAction)", path: "fuelPerAction")
        }
    }
}
