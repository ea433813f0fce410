/// A unit of write work for one document: actions to reduce, or pre-existing operations to load.
public struct Job: Sendable, Identifiable {
    /// What the job writes.
    public enum Payload: Sendable {
        /// Reduce these actions, in order.
        case actions([Action])
        /// Append these already-reduced operations (sync, import), each in its action's scope.
        case operations([Operation])
        /// Merge these operations from the peer reactor `origin` (sync): operations already held are dropped,
        /// the rest take their place in the stream's effective order (``OperationOrder``), re-appending local
        /// operations that sort after them.
        case sync(origin: String, operations: [SyncOperation])
    }

    public var id: String
    public var documentID: String
    public var branch: String
    public var payload: Payload
    /// Ids of jobs that must reach `READ_READY` before this one runs. If one fails, this job fails.
    public var dependsOn: [String]
    public var createdAt: Int64

    public init(id: String, documentID: String, branch: String = Branch.main, payload: Payload, dependsOn: [String] = [], createdAt: Int64 = Clock.nowMilliseconds()) {
        self.id = id
        self.documentID = documentID
        self.branch = branch
        self.payload = payload
        self.dependsOn = dependsOn
        self.createdAt = createdAt
    }
}
