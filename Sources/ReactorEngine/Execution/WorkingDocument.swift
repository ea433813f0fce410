import ReactorCore

/// The mutable copy of a document a job works on. Nothing here is visible to anyone until the commit succeeds.
struct WorkingDocument {
    struct ScopeWork {
        /// The state, kept as the model's native value when the model has one (``ScopeValue``).
        var value: ScopeValue
        var hash: String
        var revision: Int
        let startRevision: Int
        /// The state at ``startRevision`` (where a history replay of the stored operations ends).
        let startValue: ScopeValue
        var operations: [Operation] = []
        /// The last states of the job (at most the write cache's ring buffer size), for the write cache.
        var recent: [WriteCache.RecentState] = []
        var history: History?
        /// The states the commit stores as keyframes.
        var keyframes: [WriteCache.RecentState] = []
        /// The order of the stream's last effective operation (see ``OperationOrder``).
        var last: OperationOrder?

        init(value: ScopeValue, hash: String, revision: Int, startRevision: Int, last: OperationOrder? = nil) {
            self.last = last
            self.value = value
            self.hash = hash
            self.revision = revision
            self.startRevision = startRevision
            self.startValue = value
        }

        init(state: JSONValue, hash: String, revision: Int, startRevision: Int, last: OperationOrder? = nil) {
            self.init(value: ScopeValue(json: state), hash: hash, revision: revision, startRevision: startRevision, last: last)
        }

        /// The state as JSON (encoded from the native value when needed).
        var state: JSONValue {
            get { value.json }
            set { value = ScopeValue(json: newValue) }
        }

        /// The state at ``startRevision`` as JSON.
        var startState: JSONValue { startValue.json }

        /// Records the state after one operation of the job: kept as a keyframe when `keyframe`, and among the
        /// `recentLimit` most recent states. No other intermediate state of a job is kept (a job of many actions on a
        /// large state would otherwise hold one copy of the state per action).
        mutating func record(_ entry: WriteCache.RecentState, recentLimit: Int, keyframe: Bool) {
            if keyframe { keyframes.append(entry) }
            guard recentLimit > 0 else { return }
            if recent.count >= recentLimit { recent.removeFirst(recent.count - recentLimit + 1) }
            recent.append(entry)
        }
    }

    var header: DocumentHeader
    /// The stored header when the job writes another branch than the document's home branch (see
    /// ``DocumentSnapshot/homeHeader``): such a commit stores it unchanged.
    let homeHeader: DocumentHeader?
    var model: any DocumentModel
    var scopes: [String: ScopeWork]
    var created: Bool
    var relationshipChanges: [Relationship: Bool] = [:]
    var initialStates: [String: JSONValue] = [:]

    init(snapshot: DocumentSnapshot, model: any DocumentModel) {
        self.header = snapshot.header
        self.homeHeader = snapshot.homeHeader
        self.model = model
        self.created = false
        self.scopes = snapshot.scopes.mapValues {
            ScopeWork(value: $0.value, hash: $0.hash, revision: $0.revision, startRevision: $0.revision, last: $0.last)
        }
    }

    init(created header: DocumentHeader, model: any DocumentModel, scopes: [String: JSONValue]) {
        self.header = header
        self.homeHeader = nil
        self.model = model
        self.created = true
        self.scopes = scopes.mapValues { ScopeWork(state: $0, hash: StateHash.of($0), revision: 0, startRevision: 0) }
    }

    /// Whether the job produced anything to store.
    var hasChanges: Bool { scopes.values.contains { !$0.operations.isEmpty } }

    /// The next index per scope that has operations.
    var revisions: [String: Int] { scopes.filter { $0.value.revision > 0 }.mapValues(\.revision) }

    /// The snapshot after the job.
    var snapshot: DocumentSnapshot {
        var h = header
        h.revision = revisions
        return DocumentSnapshot(
            header: h,
            scopes: scopes.mapValues { .init(value: $0.value, hash: $0.hash, revision: $0.revision, last: $0.last) },
            homeHeader: homeHeader)
    }

    /// The commit storing the job's work; `origin` is the peer reactor a sync job's operations came from.
    func commit(branch: String, origin: String? = nil) -> Commit {
        var appends: [StreamAppend] = []
        var keyframes: [Keyframe] = []
        for (scope, work) in scopes.sorted(by: { $0.key < $1.key }) {
            let stream = StreamID(documentID: header.id, scope: scope, branch: branch)
            if let initial = initialStates[scope] {
                keyframes.append(Keyframe(stream: stream, index: -1, state: initial, hash: StateHash.of(initial)))
            }
            guard !work.operations.isEmpty else { continue }
            appends.append(StreamAppend(stream: stream, expectedRevision: work.startRevision, operations: work.operations))
            for r in work.keyframes {
                keyframes.append(Keyframe(stream: stream, index: r.index, state: r.state, hash: r.hash))
            }
        }
        // Another branch than the home branch leaves the document's stored header as it is.
        var committedHeader = homeHeader ?? header
        if homeHeader == nil { committedHeader.revision = revisions }
        return Commit(
            header: committedHeader, createsDocument: created, appends: appends, keyframes: keyframes,
            relationshipsAdded: relationshipChanges.filter { $0.value }.map(\.key).sorted { $0.targetID < $1.targetID },
            relationshipsRemoved: relationshipChanges.filter { !$0.value }.map(\.key).sorted { $0.targetID < $1.targetID },
            origin: origin)
    }
}
