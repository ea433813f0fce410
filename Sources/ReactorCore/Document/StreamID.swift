/// One append-only operation stream: a (document, scope, branch) triple. Each stream has its own 0-based index.
public struct StreamID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var documentID: String
    public var scope: String
    public var branch: String

    public init(documentID: String, scope: String, branch: String = Branch.main) {
        self.documentID = documentID
        self.scope = scope
        self.branch = branch
    }

    public var description: String { "\(documentID)/\(scope)/\(branch)" }

    enum CodingKeys: String, CodingKey {
        case documentID = "documentId"
        case scope, branch
    }
}
