import ReactorCore

/// The write-side picture of one document branch: header and, per scope, the state, hash and next index.
public struct DocumentSnapshot: Sendable, Hashable {
    public struct ScopeState: Sendable, Hashable {
        public var state: JSONValue
        /// Hash after the last operation (the hash of the initial state when there is none).
        public var hash: String
        /// Next index (= number of operations).
        public var revision: Int

        public init(state: JSONValue, hash: String, revision: Int) {
            self.state = state
            self.hash = hash
            self.revision = revision
        }
    }

    public var header: DocumentHeader
    public var scopes: [String: ScopeState]

    public init(header: DocumentHeader, scopes: [String: ScopeState]) {
        self.header = header
        self.scopes = scopes
    }

    /// Total operations over all scopes: grows with every write, so a larger value is a newer snapshot.
    public var version: Int { scopes.values.reduce(0) { $0 + $1.revision } }

    /// The public document value.
    public var document: Document {
        var state: [String: JSONValue] = [:]
        var hashes: [String: String] = [:]
        state.reserveCapacity(scopes.count)
        for (scope, s) in scopes {
            state[scope] = s.state
            if s.revision > 0 { hashes[scope] = s.hash }
        }
        return Document(header: header, state: state, hashes: hashes)
    }
}
