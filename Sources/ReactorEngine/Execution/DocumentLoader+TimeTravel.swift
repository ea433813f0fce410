import ReactorCore

/// Time travel (`docs/time-travel.md`): a document at a point in its past, and the difference between two revisions of
/// a scope, each stream read from its newest keyframe at or before the point plus the operations after it.
extension DocumentLoader {
    /// `current` (the document's snapshot now) as it was at `point`. A scope already at its revision there is taken
    /// from `current`; any other is reduced from its newest keyframe at or before the point (``loadStream``), so a read
    /// costs the operations since that keyframe. Never cached.
    ///
    /// Throws `INVALID_ARGUMENT` with `path` `revision` (a scope the document does not have, a revision past its
    /// stream's end) or `at` (a moment before the document's first operation).
    func snapshot(_ current: DocumentSnapshot, at point: DocumentPoint) async throws -> DocumentSnapshot {
        let targets = try await revisions(of: current, at: point)
        var scopes = current.scopes
        var versions = PointModels(loader: self, current: current)
        for (scope, revision) in targets.sorted(by: { $0.key < $1.key }) where revision != current.scopes[scope]?.revision {
            scopes[scope] = try await scopeState(current, scope: scope, revision: revision, versions: &versions)
        }
        var header = current.header
        header.revision = scopes.filter { $0.value.revision > 0 }.mapValues(\.revision)
        if header.revision != current.header.revision {
            header.lastModifiedAt = try await lastModified(current, scopes: scopes)
        }
        // The document scope says what the header said then.
        let system = scopes[Scope.document]?.state ?? .null
        header.name = system["name"]?.stringValue ?? ""
        header.slug = system["slug"]?.stringValue
        if system["deleted"]?.boolValue != true { header.deletedAt = nil }
        header.modelVersion = versions.version(system: system)
        return DocumentSnapshot(header: header, scopes: scopes, homeHeader: current.homeHeader)
    }

    /// The patch from the state of `scope` at revision `from` to its state at `to` (each 0 up to the stream's
    /// revision in `current`). Throws `INVALID_ARGUMENT` with `path` `scope`, `from` or `to`.
    func diff(_ current: DocumentSnapshot, scope: String, from: Int, to: Int) async throws -> DocumentDiff {
        guard let now = current.scopes[scope] else { throw Self.unknownScope(scope, of: current, path: "scope") }
        for (name, revision) in [("from", from), ("to", to)] where !(0...now.revision).contains(revision) {
            throw Self.outOfRange(scope, revision: revision, current: now.revision, path: name)
        }
        var versions = PointModels(loader: self, current: current)
        let a = from == now.revision ? now : try await scopeState(current, scope: scope, revision: from, versions: &versions)
        let b = to == now.revision ? now : try await scopeState(current, scope: scope, revision: to, versions: &versions)
        return DocumentDiff(documentID: current.header.id, branch: current.header.branch, scope: scope, from: from, to: to,
                            fromHash: a.hash, toHash: b.hash, patch: JSONPatch.diff(from: a.state, to: b.state))
    }

    /// The stream of `scope` that `current` reads: the home branch's for the `document` scope, its branch's otherwise.
    private func stream(_ current: DocumentSnapshot, _ scope: String) -> StreamID {
        StreamID(documentID: current.header.id, scope: scope, branch: scope == Scope.document ? current.homeBranch : current.header.branch)
    }

    /// The revision of every scope of `current` at `point`.
    private func revisions(of current: DocumentSnapshot, at point: DocumentPoint) async throws -> [String: Int] {
        var out = current.scopes.mapValues(\.revision)
        switch point {
        case .revisions(let named):
            for (scope, revision) in named {
                guard let now = current.scopes[scope]?.revision else { throw Self.unknownScope(scope, of: current, path: "revision") }
                guard (0...now).contains(revision) else { throw Self.outOfRange(scope, revision: revision, current: now, path: "revision") }
                out[scope] = revision
            }
        case .time(let at):
            for (scope, now) in out where now > 0 {
                out[scope] = (try await store.lastOperationIndex(in: stream(current, scope), atOrBefore: at) ?? -1) + 1
            }
            guard (out[Scope.document] ?? 0) > 0 else {
                throw ReactorError(.invalidArgument,
                                   "document '\(current.header.id)' did not exist yet at \(at) (\(Clock.iso8601(at))): it was created at \(current.header.createdAt) (\(Clock.iso8601(current.header.createdAt)))",
                                   details: ["path": "at", "at": String(at), "createdAt": String(current.header.createdAt)])
            }
        }
        return out
    }

    /// The state of `scope` at `revision`, from its newest keyframe at or before it.
    private func scopeState(_ current: DocumentSnapshot, scope: String, revision: Int, versions: inout PointModels) async throws -> DocumentSnapshot.ScopeState {
        let stream = stream(current, scope)
        if scope == Scope.document {
            return try await loadStream(stream, revision: revision, initial: .null, reduce: SystemReducer.reduce)
        }
        let model = try await versions.model(for: stream, revision: revision)
        let initial = try await initialState(stream, model: model, homeBranch: current.homeBranch)
        return try await loadStream(stream, revision: revision, initial: initial, reduce: models.scopeReducer(model, scope: scope), native: model)
    }

    /// The header's `lastModifiedAt` at the point: the latest timestamp of the operations the scopes stand at (on
    /// another branch than the home branch the document scope does not count; the creation time at least), as a load
    /// computes it.
    private func lastModified(_ current: DocumentSnapshot, scopes: [String: DocumentSnapshot.ScopeState]) async throws -> Int64 {
        let home = current.header.branch == current.homeBranch
        var latest = current.header.createdAt
        for (scope, state) in scopes where state.revision > 0 && (home || scope != Scope.document) {
            if let last = state.last {
                latest = max(latest, last.timestamp)
            } else if let op = try await store.operations(in: stream(current, scope), fromIndex: state.revision - 1, limit: 1).first {
                latest = max(latest, op.timestamp)
            }
        }
        return latest
    }

    static func unknownScope(_ scope: String, of current: DocumentSnapshot, path: String) -> ReactorError {
        ReactorError(.invalidArgument,
                     "document '\(current.header.id)' has no scope '\(scope)' (its scopes: \(current.scopes.keys.sorted().joined(separator: ", ")))",
                     details: ["path": path, "scope": scope])
    }

    static func outOfRange(_ scope: String, revision: Int, current: Int, path: String) -> ReactorError {
        ReactorError(.invalidArgument, "scope '\(scope)' has revisions 0...\(current), not \(revision)",
                     details: ["path": path, "scope": scope, "revision": String(revision), "currentRevision": String(current)])
    }
}

/// The models a time-travel read reduces with: the document's current model, unless the document was upgraded since
/// the point; then the version each stream had there (found once per read).
struct PointModels {
    let loader: DocumentLoader
    let current: DocumentSnapshot
    private var upgraded: Bool?
    /// The version ``model(for:revision:)`` last gave.
    private var used: Int?

    init(loader: DocumentLoader, current: DocumentSnapshot) {
        self.loader = loader
        self.current = current
    }

    /// The header's model version at the point, whose `document` scope state is `system`: the version that state
    /// names (a create that named one, and every upgrade, set it), else the version the other scopes were reduced
    /// with, else the current one.
    func version(system: JSONValue) -> Int {
        system["modelVersion"]?.intValue ?? used ?? (current.homeHeader ?? current.header).modelVersion
    }

    /// The model that reduced `stream` up to `revision`: the version its first successful upgrade at or after
    /// `revision` started from, or the current model when there is none (or the document was never upgraded).
    mutating func model(for stream: StreamID, revision: Int) async throws -> any DocumentModel {
        let header = current.homeHeader ?? current.header
        var version = header.modelVersion
        if try await wasUpgraded(), let upgrade = try await firstUpgrade(in: stream, from: revision),
           let from = upgrade["fromVersion"]?.intValue {
            version = from
        }
        used = version
        return try await loader.models.model(header.documentType, version: version)
    }

    /// Whether the document's model version changed since its creation: its create named another version than the
    /// current one, or named none and the `document` scope's state names one now (only an upgrade sets it then).
    private mutating func wasUpgraded() async throws -> Bool {
        if let upgraded { return upgraded }
        let system = current.scopes[Scope.document]?.state ?? .null
        var answer = false
        if system["modelVersion"]?.intValue != nil {
            let stream = StreamID(documentID: current.header.id, scope: Scope.document, branch: current.homeBranch)
            let create = try await loader.store.operations(in: stream, fromIndex: 0, limit: 1).first
            let created = create?.action.input["modelVersion"]?.intValue
            answer = created != (current.homeHeader ?? current.header).modelVersion
        }
        upgraded = answer
        return answer
    }

    /// The input of the first successful upgrade of `stream` at or after `index` (read forward page by page).
    private func firstUpgrade(in stream: StreamID, from index: Int) async throws -> JSONValue? {
        var next = index
        while true {
            let page = try await loader.store.operations(in: stream, fromIndex: next, limit: DocumentLoader.historyPageSize)
            if let upgrade = page.first(where: { $0.error == nil && $0.action.type == BaseAction.upgrade }) {
                return upgrade.action.input
            }
            guard page.count == DocumentLoader.historyPageSize else { return nil }
            next += page.count
        }
    }
}
