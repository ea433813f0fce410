/// What to create: the header fields and, optionally, the initial state of model scopes.
public struct NewDocument: Sendable, Hashable {
    /// The new document's id (a random UUID unless given).
    public var id: String
    /// The model's document type (`reactor/todo-list`, …).
    public var documentType: String
    /// An optional unique human-friendly name, usable instead of the id.
    public var slug: String?
    /// The document's name.
    public var name: String
    /// The document's home branch (`main` by default).
    public var branch: String
    /// Free-form metadata.
    public var meta: [String: JSONValue]
    /// Initial state per model scope; scopes not given start from the model's initial state.
    public var initialState: [String: JSONValue]?
    /// The model version to create with (newest registered when nil).
    public var modelVersion: Int?
    /// The creator (a user id), who administers the document when permissions are on; set from the caller by
    /// the engine's `AuthorizedReactor`.
    public var createdBy: String?

    /// A document to create; every field but the type has a default.
    public init(
        id: String = RandomUUID.make(), documentType: String, slug: String? = nil, name: String = "",
        branch: String = Branch.main, meta: [String: JSONValue] = [:], initialState: [String: JSONValue]? = nil,
        modelVersion: Int? = nil, createdBy: String? = nil
    ) {
        self.id = id
        self.documentType = documentType
        self.slug = slug
        self.name = name
        self.branch = branch
        self.meta = meta
        self.initialState = initialState
        self.modelVersion = modelVersion
        self.createdBy = createdBy
    }

    /// The `CREATE_DOCUMENT` action for this document.
    public var createAction: Action {
        var input: [String: JSONValue] = ["documentType": .string(documentType), "name": .string(name)]
        if let slug { input["slug"] = .string(slug) }
        if !meta.isEmpty { input["meta"] = .object(meta) }
        if let initialState { input["initialState"] = .object(initialState) }
        if let modelVersion { input["modelVersion"] = .number(Double(modelVersion)) }
        if let createdBy { input["createdBy"] = .string(createdBy) }
        return Action(id: "create-\(id)", type: SystemAction.create, scope: Scope.document, input: .object(input))
    }
}
