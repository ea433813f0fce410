/// Which documents to find. Empty fields do not filter.
public struct DocumentQuery: Sendable, Hashable, Codable {
    public var documentType: String?
    /// Documents that are `child` targets of this document.
    public var parentID: String?
    public var ids: [String]?
    public var slugs: [String]?
    /// Whether deleted documents are returned (they are not by default).
    public var includeDeleted: Bool

    public init(documentType: String? = nil, parentID: String? = nil, ids: [String]? = nil, slugs: [String]? = nil, includeDeleted: Bool = false) {
        self.documentType = documentType
        self.parentID = parentID
        self.ids = ids
        self.slugs = slugs
        self.includeDeleted = includeDeleted
    }

    /// Whether `header` (with the given parents) matches.
    public func matches(_ header: DocumentHeader, parents: @autoclosure () -> [String]) -> Bool {
        if !includeDeleted, header.isDeleted { return false }
        if let documentType, header.documentType != documentType { return false }
        if let ids, !ids.contains(header.id) { return false }
        if let slugs {
            guard let slug = header.slug, slugs.contains(slug) else { return false }
        }
        if let parentID, !parents().contains(parentID) { return false }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case documentType, ids, slugs, includeDeleted
        case parentID = "parentId"
    }
}

/// Which operations of one document to list. Empty fields do not filter.
public struct OperationQuery: Sendable, Hashable, Codable {
    public var documentID: String
    public var branch: String
    public var scopes: [String]?
    public var actionTypes: [String]?
    /// Only operations with index ≥ this.
    public var fromIndex: Int?
    /// Only operations written at or after this time (ms since 1970).
    public var since: Int64?

    public init(documentID: String, branch: String = Branch.main, scopes: [String]? = nil, actionTypes: [String]? = nil, fromIndex: Int? = nil, since: Int64? = nil) {
        self.documentID = documentID
        self.branch = branch
        self.scopes = scopes
        self.actionTypes = actionTypes
        self.fromIndex = fromIndex
        self.since = since
    }

    /// Whether a stored operation matches.
    public func matches(_ record: OperationRecord) -> Bool {
        guard record.stream.documentID == documentID, record.stream.branch == branch else { return false }
        if let scopes, !scopes.contains(record.stream.scope) { return false }
        if let actionTypes, !actionTypes.contains(record.operation.action.type) { return false }
        if let fromIndex, record.operation.index < fromIndex { return false }
        if let since, record.operation.timestamp < since { return false }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case documentID = "documentId"
        case branch, scopes, actionTypes, fromIndex, since
    }
}
