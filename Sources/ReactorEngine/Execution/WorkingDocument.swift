import ReactorCore

/// The mutable copy of a document a job works on. Nothing here is visible to anyone until the commit succeeds.
struct WorkingDocument {
    struct ScopeWork {
        var state: JSONValue
        var hash: String
        var revision: Int
        let startRevision: Int
        var operations: [Operation] = []
        var recent: [WriteCache.RecentState] = []
        var history: History?
        var keyframeIndices: Set<Int> = []
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
            ScopeWork(state: $0.state, hash: $0.hash, revision: $0.revision, startRevision: $0.revision)
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
            scopes: scopes.mapValues { .init(state: $0.state, hash: $0.hash, revision: $0.revision) },
            homeHeader: homeHeader)
    }

    /// The commit storing the job's work.
    func commit(branch: String) -> Commit {
        var appends: [StreamAppend] = []
        var keyframes: [Keyframe] = []
        for (scope, work) in scopes.sorted(by: { $0.key < $1.key }) {
            let stream = StreamID(documentID: header.id, scope: scope, branch: branch)
            if let initial = initialStates[scope] {
                keyframes.append(Keyframe(stream: stream, index: -1, state: initial, hash: StateHash.of(initial)))
            }
            guard !work.operations.isEmpty else { continue }
            appends.append(StreamAppend(stream: stream, expectedRevision: work.startRevision, operations: work.operations))
            for r in work.recent where work.keyframeIndices.contains(r.index) {
                keyframes.append(Keyframe(stream: stream, index: r.index, state: r.state, hash: r.hash))
            }
        }
        // Another branch than the home branch leaves the document's stored header as it is.
        var committedHeader = homeHeader ?? header
        if homeHeader == nil { committedHeader.revision = revisions }
        return Commit(
            header: committedHeader, createsDocument: created, appends: appends, keyframes: keyframes,
            relationshipsAdded: relationshipChanges.filter { $0.value }.map(\.key).sorted { $0.targetID < $1.targetID },
            relationshipsRemoved: relationshipChanges.filter { !$0.value }.map(\.key).sorted { $0.targetID < $1.targetID })
    }
}
