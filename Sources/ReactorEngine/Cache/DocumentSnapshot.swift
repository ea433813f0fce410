import ReactorCore

/// The write-side picture of one document branch: header and, per scope, the state, hash and next index.
public struct DocumentSnapshot: Sendable, Hashable {
    public struct ScopeState: Sendable, Hashable {
        /// The state, as JSON or as the model's native value (``ScopeValue``).
        public var value: ScopeValue
        /// The state as JSON.
        public var state: JSONValue {
            get { value.json }
            set { value = ScopeValue(json: newValue) }
        }
        /// Hash after the last operation (the hash of the initial state when there is none).
        public var hash: String
        /// Next index (= number of operations).
        public var revision: Int
        /// The order of the stream's last effective operation (nil when it has none, or when it is not known): a
        /// local write is ordered after it (``OperationOrder/next(after:now:actionID:)``).
        public var last: OperationOrder?

        public init(state: JSONValue, hash: String, revision: Int, last: OperationOrder? = nil) {
            self.init(value: ScopeValue(json: state), hash: hash, revision: revision, last: last)
        }

        public init(value: ScopeValue, hash: String, revision: Int, last: OperationOrder? = nil) {
            self.value = value
            self.hash = hash
            self.revision = revision
            self.last = last
        }
    }

    /// This branch's header: the document's identity, name and slug with this branch's `branch`, `revision` and
    /// `lastModifiedAt`.
    public var header: DocumentHeader
    public var scopes: [String: ScopeState]
    /// The document's stored header when this snapshot is of another branch than the document's home branch (the
    /// branch it was created on, which holds its `document` scope); nil on the home branch, whose header is stored.
    public var homeHeader: DocumentHeader?

    public init(header: DocumentHeader, scopes: [String: ScopeState], homeHeader: DocumentHeader? = nil) {
        self.header = header
        self.scopes = scopes
        self.homeHeader = homeHeader
    }

    /// The branch holding the document's `document` scope (its name, slug, relationships, deletion).
    public var homeBranch: String { homeHeader?.branch ?? header.branch }

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
