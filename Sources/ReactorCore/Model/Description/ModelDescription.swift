/// What a model says about itself: its scopes with the JSON Schema of each one's state, and the actions it accepts
/// with the JSON Schema of their input. Served by `GET /reactor/v1/models` and `/models/{documentType}`, shown by
/// `reactor models show`, and used by the console to generate forms.
///
/// A ``TypedDocumentModel`` derives its description from its Swift types (``JSONSchemaReflection``); a WASM model
/// declares it at registration; any other model describes its scopes only, unless it implements
/// ``DocumentModel/modelDescription``.
public struct ModelDescription: Sendable, Hashable {
    /// The document type.
    public var documentType: String
    /// The model version.
    public var version: Int
    /// The model's scopes (besides `document`).
    public var scopes: [String]
    /// The JSON Schema of each scope's state, for the scopes that have one.
    public var stateSchemas: [String: JSONValue]
    /// The actions the model's reducer accepts (not the system actions every document takes: ``SystemActionCatalog``).
    public var actions: [ActionDescription]

    /// Describes a model.
    public init(documentType: String, version: Int, scopes: [String], stateSchemas: [String: JSONValue] = [:], actions: [ActionDescription] = []) {
        self.documentType = documentType
        self.version = version
        self.scopes = scopes
        self.stateSchemas = stateSchemas
        self.actions = actions
    }

    /// The description as JSON: `{"version", "scopes": [names], "stateSchemas": {scope: schema}, "actions": [...]}`.
    public var json: JSONValue {
        .object([
            "version": .number(Double(version)),
            "scopes": .array(scopes.map { .string($0) }),
            "stateSchemas": .object(stateSchemas),
            "actions": .array(actions.map(\.json)),
        ])
    }
}
