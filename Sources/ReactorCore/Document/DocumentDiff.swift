/// The difference between two revisions of one scope of a document: an RFC 6902 JSON Patch that turns the state at
/// `from` into the state at `to` (``JSONPatch``).
public struct DocumentDiff: Sendable, Hashable, Codable {
    public var documentID: String
    public var branch: String
    public var scope: String
    /// The revision the patch starts from (the number of operations; 0 is the initial state).
    public var from: Int
    /// The revision the patch leads to.
    public var to: Int
    /// The state hash at `from`: the hash recorded on the operation at index `from - 1` (of the initial state at 0).
    public var fromHash: String
    /// The state hash at `to`.
    public var toHash: String
    /// The operations that turn the state at `from` into the state at `to`.
    public var patch: [JSONPatchOperation]

    public init(documentID: String, branch: String, scope: String, from: Int, to: Int, fromHash: String, toHash: String,
                patch: [JSONPatchOperation]) {
        self.documentID = documentID
        self.branch = branch
        self.scope = scope
        self.from = from
        self.to = to
        self.fromHash = fromHash
        self.toHash = toHash
        self.patch = patch
    }

    enum CodingKeys: String, CodingKey {
        case documentID = "documentId"
        case branch, scope, from, to, fromHash, toHash, patch
    }
}
