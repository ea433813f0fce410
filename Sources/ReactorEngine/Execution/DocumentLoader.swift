import ReactorCore

/// Builds ``DocumentSnapshot``s: from the write cache when it has them, else from the store, starting at the newest
/// keyframe of each stream and reducing only the operations after it.
public struct DocumentLoader: Sendable {
    let store: any ReactorStore
    let cache: WriteCache
    let models: ModelResolver

    /// The document's snapshot on `branch`, or nil when no such document exists.
    public func snapshot(_ documentID: String, branch: String) async throws -> DocumentSnapshot? {
        if let cached = cache.get(documentID, branch: branch) { return cached }
        guard let loaded = try await loadFromStore(documentID, branch: branch) else { return nil }
        cache.putIfNewer(loaded)
        return loaded
    }

    /// Loads the snapshot from the store, bypassing the cache.
    ///
    /// Branches: the stored header is the document's, and its `branch` is the document's home branch (where it was
    /// created), which holds the `document` scope: name, slug, relationships and deletion are the document's on every
    /// branch. Every other scope has its own stream per branch; a branch never written starts from the document's
    /// initial state. Nothing written on one branch changes another.
    public func loadFromStore(_ documentID: String, branch: String) async throws -> DocumentSnapshot? {
        guard let stored = try await store.header(id: documentID) else { return nil }
        let home = stored.branch
        let revisions = try await store.revisions(documentID: documentID, branch: branch)
        let model = try await models.model(stored.documentType, version: stored.modelVersion)
        var scopes: [String: DocumentSnapshot.ScopeState] = [:]
        let systemStream = StreamID(documentID: documentID, scope: Scope.document, branch: home)
        let systemRevision = branch == home ? revisions[Scope.document] ?? 0
            : try await store.revisions(documentID: documentID, branch: home)[Scope.document] ?? 0
        scopes[Scope.document] = try await loadStream(systemStream, revision: systemRevision, initial: .null, reduce: SystemReducer.reduce)
        var lastModified = stored.createdAt
        for scope in Set(model.scopes).union(revisions.keys) where scope != Scope.document {
            let stream = StreamID(documentID: documentID, scope: scope, branch: branch)
            let initial = try await initialState(stream, model: model, homeBranch: home)
            let revision = revisions[scope] ?? 0
            scopes[scope] = try await loadStream(stream, revision: revision, initial: initial, reduce: models.scopeReducer(model, scope: scope))
            if branch != home, revision > 0, let last = try await store.operations(in: stream, fromIndex: revision - 1, limit: 1).first {
                lastModified = max(lastModified, last.timestamp)
            }
        }
        var header = stored
        header.branch = branch
        header.revision = scopes.filter { $0.value.revision > 0 }.mapValues(\.revision)
        if branch != home { header.lastModifiedAt = lastModified }
        return DocumentSnapshot(header: header, scopes: scopes, homeHeader: branch == home ? nil : stored)
    }

    /// The state a stream starts from: a keyframe at index -1 (an initial state given at creation) or the model's.
    /// A stream of another branch than the home branch starts from the home branch's initial state.
    func initialState(_ stream: StreamID, model: any DocumentModel, homeBranch: String) async throws -> JSONValue {
        if let kf = try await store.latestKeyframe(of: stream, atOrBefore: -1), kf.index == -1 { return kf.state }
        if stream.branch != homeBranch {
            let homeStream = StreamID(documentID: stream.documentID, scope: stream.scope, branch: homeBranch)
            if let kf = try await store.latestKeyframe(of: homeStream, atOrBefore: -1), kf.index == -1 { return kf.state }
        }
        return model.initialState(scope: stream.scope)
    }

    /// Reduces a stream up to `revision` from its newest keyframe, falling back to a full history replay when the
    /// operations after the keyframe include undo, redo, prune or upgrade.
    func loadStream(
        _ stream: StreamID, revision: Int, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue
    ) async throws -> DocumentSnapshot.ScopeState {
        guard revision > 0 else { return .init(state: initial, hash: StateHash.of(initial), revision: 0) }
        let keyframe = try await store.latestKeyframe(of: stream, atOrBefore: revision - 1)
        let from = (keyframe?.index ?? -1) + 1
        let ops = from < revision ? try await store.operations(in: stream, fromIndex: from, limit: revision - from) : []
        if stream.scope != Scope.document, ops.contains(where: { $0.error == nil && BaseAction.isHistory($0.action.type) }) {
            let history = try await self.history(stream, revision: revision, initial: initial, reduce: reduce)
            return .init(state: history.state, hash: StateHash.of(history.state), revision: revision)
        }
        var state = keyframe.map(\.state) ?? initial
        for op in ops where op.error == nil {
            do {
                state = try reduce(state, op.action)
            } catch {
                throw ReactorError(.internal, "replay of \(stream) at index \(op.index) failed: the reducer is not deterministic (\(error))",
                                   details: ["operationId": op.id])
            }
        }
        let hash = ops.last?.hash ?? keyframe?.hash ?? StateHash.of(state)
        return .init(state: state, hash: hash, revision: revision)
    }

    /// The stream's history (effective steps and redo stack), replayed from the start or from its last upgrade.
    func history(
        _ stream: StreamID, revision: Int, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue
    ) async throws -> History {
        let ops = revision > 0 ? try await store.operations(in: stream, fromIndex: 0, limit: revision) : []
        if let barrier = ops.lastIndex(where: { $0.error == nil && $0.action.type == BaseAction.upgrade }) {
            let index = ops[barrier].index
            guard let kf = try await store.latestKeyframe(of: stream, atOrBefore: index), kf.index == index else {
                throw ReactorError(.internal, "missing keyframe at upgrade \(index) of \(stream)")
            }
            var history = History(initialState: kf.state, reduce: reduce)
            try history.replay(Array(ops[(barrier + 1)...]))
            return history
        }
        var history = History(initialState: initial, reduce: reduce)
        try history.replay(ops)
        return history
    }
}
