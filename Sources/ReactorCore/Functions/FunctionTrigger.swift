/// The document events that invoke a function: every operation that matches, once it is `READ_READY`, in ordinal
/// order, at least once (the trigger's cursor is persisted like a processor's).
///
/// Empty or nil fields do not filter; a trigger with no field at all matches every operation.
public struct FunctionTrigger: Sendable, Hashable, Codable {
    /// Document types to match.
    public var documentTypes: [String]?
    /// Document ids to match.
    public var documentIDs: [String]?
    /// Scopes to match (`global`, `local`, `document`).
    public var scopes: [String]?
    /// Branches to match.
    public var branches: [String]?
    /// Action types to match (`ADD_TODO`, …).
    public var actionTypes: [String]?

    /// Creates a trigger.
    public init(documentTypes: [String]? = nil, documentIDs: [String]? = nil, scopes: [String]? = nil,
                branches: [String]? = nil, actionTypes: [String]? = nil) {
        self.documentTypes = documentTypes
        self.documentIDs = documentIDs
        self.scopes = scopes
        self.branches = branches
        self.actionTypes = actionTypes
    }

    /// Whether `record` is an event of this trigger.
    public func matches(_ record: OperationRecord) -> Bool {
        func nonEmpty(_ list: [String]?) -> [String]? { list?.isEmpty == true ? nil : list }
        let filter = OperationFilter(documentTypes: nonEmpty(documentTypes), documentIDs: nonEmpty(documentIDs),
                                     scopes: nonEmpty(scopes), branches: nonEmpty(branches))
        guard filter.matches(record) else { return false }
        if let actionTypes, !actionTypes.isEmpty, !actionTypes.contains(record.operation.action.type) { return false }
        return true
    }
}
