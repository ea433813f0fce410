import Foundation
import ReactorCore

/// What to create: the header fields and, optionally, the initial state of model scopes.
public struct NewDocument: Sendable {
    public var id: String
    public var documentType: String
    public var slug: String?
    public var name: String
    public var branch: String
    public var meta: [String: JSONValue]
    /// Initial state per model scope; scopes not given start from the model's initial state.
    public var initialState: [String: JSONValue]?
    /// The model version to create with (newest registered when nil).
    public var modelVersion: Int?
    /// The creator (a user id), who administers the document when permissions are on; set from the caller by
    /// ``AuthorizedReactor/create(_:)``.
    public var createdBy: String?

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

/// One job of a batch: actions for one document, with the keys of jobs it waits for.
public struct BatchJob: Sendable {
    public var key: String
    public var documentID: String
    public var branch: String
    public var actions: [Action]
    public var dependsOn: [String]

    public init(key: String, documentID: String, branch: String = Branch.main, actions: [Action], dependsOn: [String] = []) {
        self.key = key
        self.documentID = documentID
        self.branch = branch
        self.actions = actions
        self.dependsOn = dependsOn
    }
}
