/// Which operations a sync remote exchanges: every field narrows the selection; an empty list means "any".
public struct SyncFilter: Sendable, Hashable, Codable {
    /// Only these documents (empty: any).
    public var documentIDs: [String]
    /// Only documents of these types (empty: any).
    public var documentTypes: [String]
    /// Only this drive and the documents that are its children (nil: any).
    public var driveID: String?
    /// Only these scopes (empty: any). The `document` scope (creation, name, relationships) of a selected document is
    /// always included, so the peer can create it.
    public var scopes: [String]
    /// Only this branch.
    public var branch: String

    public init(documentIDs: [String] = [], documentTypes: [String] = [], driveID: String? = nil, scopes: [String] = [], branch: String = Branch.main) {
        self.documentIDs = documentIDs
        self.documentTypes = documentTypes
        self.driveID = driveID
        self.scopes = scopes
        self.branch = branch
    }

    /// Whether `record` is selected; `driveChildren` are the ids of the filter's drive's children (ignored without a
    /// drive).
    public func matches(_ record: OperationRecord, driveChildren: Set<String> = []) -> Bool {
        let stream = record.stream
        guard stream.branch == branch else { return false }
        if !documentIDs.isEmpty, !documentIDs.contains(stream.documentID) { return false }
        if !documentTypes.isEmpty, !documentTypes.contains(record.documentType) { return false }
        if let driveID, stream.documentID != driveID, !driveChildren.contains(stream.documentID) { return false }
        if !scopes.isEmpty, stream.scope != Scope.document, !scopes.contains(stream.scope) { return false }
        return true
    }

    /// Checks the filter's names; the error's `path` starts with `prefix`.
    public func validate(path prefix: String = "filter") throws {
        for (i, id) in documentIDs.enumerated() { try Identifiers.documentID.check(id, path: "\(prefix).documentIds[\(i)]") }
        for (i, type) in documentTypes.enumerated() { try Identifiers.documentType.check(type, path: "\(prefix).documentTypes[\(i)]") }
        if let driveID { try Identifiers.documentID.check(driveID, path: "\(prefix).driveId") }
        for (i, scope) in scopes.enumerated() { try Identifiers.scope.check(scope, path: "\(prefix).scopes[\(i)]") }
        try Identifiers.branch.check(branch, path: "\(prefix).branch")
    }

    private enum CodingKeys: String, CodingKey {
        case documentIDs = "documentIds", documentTypes, driveID = "driveId", scopes, branch
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        documentIDs = try c.decodeIfPresent([String].self, forKey: .documentIDs) ?? []
        documentTypes = try c.decodeIfPresent([String].self, forKey: .documentTypes) ?? []
        driveID = try c.decodeIfPresent(String.self, forKey: .driveID)
        scopes = try c.decodeIfPresent([String].self, forKey: .scopes) ?? []
        branch = try c.decodeIfPresent(String.self, forKey: .branch) ?? Branch.main
    }
}
