/// The actions every document takes whatever its model: the `document` scope's system actions and the history
/// actions of every model scope. Part of model discovery (`GET /reactor/v1/models` answers them as `systemActions`).
///
/// `CREATE_DOCUMENT` and `DELETE_DOCUMENT` are left out: documents are created and deleted by their own requests
/// (`POST /documents`, `DELETE /documents/{id}`), and `MERGE` is written by sync only.
public enum SystemActionCatalog {
    /// The system and history actions, with the JSON Schema of their input.
    public static let actions: [ActionDescription] = [
        ActionDescription(type: SystemAction.setName, scope: Scope.document,
                          input: object(["name": ["type": "string"]], required: ["name"]), summary: "Renames the document."),
        ActionDescription(type: SystemAction.setSlug, scope: Scope.document,
                          input: object(["slug": ["type": ["string", "null"]]], required: ["slug"]),
                          summary: "Sets the document's slug (null clears it)."),
        ActionDescription(type: SystemAction.addRelationship, scope: Scope.document,
                          input: object(["targetId": ["type": "string"], "type": ["type": "string"]], required: ["targetId"]),
                          summary: "Adds a relationship to another document (type defaults to child)."),
        ActionDescription(type: SystemAction.removeRelationship, scope: Scope.document,
                          input: object(["targetId": ["type": "string"], "type": ["type": "string"]], required: ["targetId"]),
                          summary: "Removes a relationship."),
        ActionDescription(type: SystemAction.setPermission, scope: Scope.document,
                          input: object(["principal": ["type": "string"],
                                         "capability": ["enum": ["none", "read", "write", "administer"]]],
                                        required: ["principal", "capability"]),
                          summary: "Grants a principal (user:<id>, role:<name>, authenticated, anyone) a capability."),
        ActionDescription(type: SystemAction.removePermission, scope: Scope.document,
                          input: object(["principal": ["type": "string"]], required: ["principal"]),
                          summary: "Removes a principal's grant."),
        ActionDescription(type: SystemAction.upgrade, scope: Scope.document,
                          input: object(["toVersion": ["type": "integer", "minimum": 1]], required: ["toVersion"]),
                          summary: "Upgrades the document to another model version."),
        ActionDescription(type: BaseAction.undo, scope: "*", summary: "Undoes the scope's most recent effective operation."),
        ActionDescription(type: BaseAction.redo, scope: "*", summary: "Re-applies the most recently undone operation."),
        ActionDescription(type: BaseAction.prune, scope: "*",
                          input: object(["start": ["type": "integer", "minimum": 0]], required: []),
                          summary: "Collapses the effective history from start (default 0) into one step."),
    ]

    /// The system actions as JSON (`"*"` as a scope: any model scope).
    public static var json: JSONValue { .array(actions.map(\.json)) }

    private static func object(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }
}
