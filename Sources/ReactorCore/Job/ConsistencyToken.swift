/// The coordinates a write produced. A read given a token waits until the views have indexed every coordinate.
public struct ConsistencyToken: Sendable, Hashable, Codable {
    /// One written operation: its stream and index.
    public struct Coordinate: Sendable, Hashable, Codable {
        public var documentID: String
        public var scope: String
        public var branch: String
        public var operationIndex: Int

        public init(documentID: String, scope: String, branch: String, operationIndex: Int) {
            self.documentID = documentID
            self.scope = scope
            self.branch = branch
            self.operationIndex = operationIndex
        }

        public var stream: StreamID { StreamID(documentID: documentID, scope: scope, branch: branch) }

        enum CodingKeys: String, CodingKey {
            case documentID = "documentId"
            case scope, branch, operationIndex
        }
    }

    public var version: Int
    public var createdAt: Int64
    public var coordinates: [Coordinate]

    public init(version: Int = 1, createdAt: Int64 = Clock.nowMilliseconds(), coordinates: [Coordinate]) {
        self.version = version
        self.createdAt = createdAt
        self.coordinates = coordinates
    }

    /// The highest index per stream: what a reader must have seen.
    public var highestIndexPerStream: [StreamID: Int] {
        var out: [StreamID: Int] = [:]
        for c in coordinates { out[c.stream] = max(out[c.stream] ?? -1, c.operationIndex) }
        return out
    }

    /// Merges two tokens (a reader that waits for the result waits for both).
    public func merged(with other: ConsistencyToken) -> ConsistencyToken {
        ConsistencyToken(version: version, createdAt: max(createdAt, other.createdAt), coordinates: coordinates + other.coordinates)
    }
}
