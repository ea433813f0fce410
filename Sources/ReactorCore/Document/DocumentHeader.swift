/// What the reactor knows about a document apart from its scope states.
public struct DocumentHeader: Sendable, Hashable, Codable {
    public var id: String
    /// An optional human-friendly unique name, usable instead of the id.
    public var slug: String?
    public var name: String
    public var documentType: String
    /// The model version the document was created with (or upgraded to).
    public var modelVersion: Int
    public var branch: String
    public var createdAt: Int64
    public var lastModifiedAt: Int64
    /// Next index per scope (equal to the number of operations in that scope's stream).
    public var revision: [String: Int]
    /// Who created the document, when signed.
    public var signer: SignerInfo?
    /// Free-form metadata given at creation.
    public var meta: [String: JSONValue]
    /// Set once the document is deleted (soft delete): later writes fail with `DOCUMENT_DELETED`.
    public var deletedAt: Int64?

    public init(
        id: String, slug: String? = nil, name: String = "", documentType: String, modelVersion: Int = 1,
        branch: String = Branch.main, createdAt: Int64, lastModifiedAt: Int64, revision: [String: Int] = [:],
        signer: SignerInfo? = nil, meta: [String: JSONValue] = [:], deletedAt: Int64? = nil
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.documentType = documentType
        self.modelVersion = modelVersion
        self.branch = branch
        self.createdAt = createdAt
        self.lastModifiedAt = lastModifiedAt
        self.revision = revision
        self.signer = signer
        self.meta = meta
        self.deletedAt = deletedAt
    }

    /// Whether the document was deleted.
    public var isDeleted: Bool { deletedAt != nil }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, documentType, modelVersion, branch, createdAt, lastModifiedAt, revision, signer, meta, deletedAt
    }
}

/// A document: header plus the state of each scope, with the hash of each scope state.
public struct Document: Sendable, Hashable, Codable {
    public var header: DocumentHeader
    /// State per scope (`global`, `local`, and any the model declares; `document` holds the system state).
    public var state: [String: JSONValue]
    /// Hash per scope of the state after the last operation (absent for a scope with no operations).
    public var hashes: [String: String]

    public init(header: DocumentHeader, state: [String: JSONValue], hashes: [String: String] = [:]) {
        self.header = header
        self.state = state
        self.hashes = hashes
    }

    public var id: String { header.id }
}

/// A relationship between two documents, held by the source. `child` relationships form the parent/child graph.
public struct Relationship: Sendable, Hashable, Codable {
    public var sourceID: String
    public var targetID: String
    public var type: String

    public init(sourceID: String, targetID: String, type: String = Relationship.child) {
        self.sourceID = sourceID
        self.targetID = targetID
        self.type = type
    }

    /// The relationship type that makes the target a child of the source.
    public static let child = "child"

    enum CodingKeys: String, CodingKey {
        case sourceID = "sourceId"
        case targetID = "targetId"
        case type
    }
}
