/// A derived view updated from operations before their job is `READ_READY`.
///
/// Read models see each job's operations once, in the job's order; reads that carry a consistency token wait for
/// them. A read model that throws fails nothing: the error is logged and the job still becomes `READ_READY`.
public protocol ReadModel: Sendable {
    var name: String { get }
    func indexOperations(_ records: [OperationRecord]) async throws
}

/// A consumer of operations after they are `READ_READY`, with a persisted cursor: after a restart it resumes where
/// it stopped. Delivery is at least once, in ordinal order; a processor that throws is called again with the same
/// operations after a back-off.
public protocol Processor: Sendable {
    /// A stable name: the key of the persisted cursor.
    var name: String { get }
    /// Which operations this processor wants (nil: all).
    var filter: OperationFilter? { get }
    func process(_ records: [OperationRecord]) async throws
}

extension Processor {
    public var filter: OperationFilter? { nil }
}

/// Selects operations by document type, document id, scope and branch. Empty fields do not filter.
public struct OperationFilter: Sendable, Hashable, Codable {
    public var documentTypes: [String]?
    public var documentIDs: [String]?
    public var scopes: [String]?
    public var branches: [String]?

    public init(documentTypes: [String]? = nil, documentIDs: [String]? = nil, scopes: [String]? = nil, branches: [String]? = nil) {
        self.documentTypes = documentTypes
        self.documentIDs = documentIDs
        self.scopes = scopes
        self.branches = branches
    }

    public func matches(_ record: OperationRecord) -> Bool {
        if let documentTypes, !documentTypes.contains(record.documentType) { return false }
        if let documentIDs, !documentIDs.contains(record.stream.documentID) { return false }
        if let scopes, !scopes.contains(record.stream.scope) { return false }
        if let branches, !branches.contains(record.stream.branch) { return false }
        return true
    }
}
