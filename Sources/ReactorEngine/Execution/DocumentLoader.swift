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
        // One store call, one snapshot: the header, revisions, keyframes and operations of one version.
        guard let loaded = try await store.loadDocument(id: documentID, branch: branch) else { return nil }
        let stored = loaded.header
        let home = stored.branch
        let model = try await models.model(stored.documentType, version: stored.modelVersion)
        var scopes: [String: DocumentSnapshot.ScopeState] = [:]
        let systemStream = StreamID(documentID: documentID, scope: Scope.document, branch: home)
        scopes[Scope.document] = try await reduceLoaded(loaded.streams[Scope.document], stream: systemStream, initial: .null, reduce: SystemReducer.reduce)
        var lastModified = stored.createdAt
        for scope in Set(model.scopes).union(loaded.revisions.keys) where scope != Scope.document {
            let stream = StreamID(documentID: documentID, scope: scope, branch: branch)
            let initial = loaded.initialStates[scope]?.state ?? model.initialState(scope: scope)
            let loadedStream = loaded.streams[scope]
            scopes[scope] = try await reduceLoaded(loadedStream, stream: stream, initial: initial, reduce: models.scopeReducer(model, scope: scope))
            if branch != home, let last = loadedStream?.last {
                lastModified = max(lastModified, last.timestamp)
            }
        }
        var header = stored
        header.branch = branch
        header.revision = scopes.filter { $0.value.revision > 0 }.mapValues(\.revision)
        if branch != home { header.lastModifiedAt = lastModified }
        return DocumentSnapshot(header: header, scopes: scopes, homeHeader: branch == home ? nil : stored)
    }

    /// The state of a stream loaded by ``ReactorStore/loadDocument(id:branch:)``: its keyframe's (or `initial`) with
    /// the operations after it reduced, falling back to a full history replay when those include undo, redo, prune,
    /// upgrade or a merge (see ``loadStream(_:revision:initial:reduce:)``).
    private func reduceLoaded(
        _ loaded: StoredStream?, stream: StreamID, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue
    ) async throws -> DocumentSnapshot.ScopeState {
        guard let loaded, loaded.revision > 0 else { return .init(state: initial, hash: StateHash.of(initial), revision: 0) }
        if var folded = try Self.fold(stream, keyframe: loaded.keyframe, operations: loaded.operations, revision: loaded.revision, initial: initial, reduce: reduce) {
            // The last operation came with the load: a write need not read it again (``lastOrder(_:revision:)``).
            if folded.last == nil { folded.last = loaded.last.map(OperationOrder.init) }
            return folded
        }
        let history = try await fullReplay(stream, revision: loaded.revision, initial: initial, reduce: reduce, config: HistoryConfig(), limit: nil)
        return .init(state: history.state, hash: StateHash.of(history.state), revision: loaded.revision)
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
    /// operations after the keyframe include undo, redo, prune or upgrade (which always store a keyframe, so only a
    /// missing keyframe leads there). With `native`, the model of a scope with a native representation
    /// (``NativeState``), the operations are reduced on it as a job reduces them: the keyframe's state decoded once, the
    /// result encoded once when read, not once per operation.
    func loadStream(
        _ stream: StreamID, revision: Int, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue, native: (any DocumentModel)? = nil
    ) async throws -> DocumentSnapshot.ScopeState {
        guard revision > 0 else { return .init(state: initial, hash: StateHash.of(initial), revision: 0) }
        let loaded: DocumentSnapshot.ScopeState
        if let folded = try await fold(stream, revision: revision, initial: initial, reduce: reduce, native: native) {
            loaded = folded
        } else {
            let history = try await fullReplay(stream, revision: revision, initial: initial, reduce: reduce, config: HistoryConfig(), limit: nil)
            loaded = .init(state: history.state, hash: StateHash.of(history.state), revision: revision)
        }
        return loaded
    }

    /// The order of the stream's last operation, read when a write needs it (``DocumentSnapshot/ScopeState/last`` is
    /// nil when the load found it in a keyframe). The last operation is always effective (a merge marker is always
    /// followed by the operations it re-appends), so it is the one a local write is ordered after.
    func lastOrder(_ stream: StreamID, revision: Int) async throws -> OperationOrder? {
        guard revision > 0 else { return nil }
        return try await store.operations(in: stream, fromIndex: revision - 1, limit: 1).first.map(OperationOrder.init)
    }

    /// The effective operations of a stream's log, oldest first: every operation, except that a merge marker
    /// (``BaseAction/merge``) drops the `skip` effective operations before it (they follow it again, re-appended in
    /// merged order). Undo, redo and prune are operations of the effective log like any other; replaying the
    /// effective log with ``History`` gives the stream's state.
    static func effective(_ operations: some Sequence<Operation>) -> [Operation] {
        var out: [Operation] = []
        for op in operations {
            if op.action.type == BaseAction.merge {
                out.removeLast(min(op.skip, out.count))
            } else {
                out.append(op)
            }
        }
        return out
    }

    /// Whether `op` is a merge marker.
    static func isMerge(_ op: Operation) -> Bool { op.action.type == BaseAction.merge }

    /// The stored state of a stream after the operation at `index`: the write cache's recent state, or the newest
    /// keyframe at or before it and the ordinary operations after that. Nil when the operations after the keyframe
    /// include a successful undo, redo, prune or upgrade (a keyframe is missing where one is always stored).
    func storedState(
        _ stream: StreamID, after index: Int, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue
    ) async throws -> JSONValue? {
        if let recent = cache.recentState(stream, index: index) { return recent.state }
        return try await fold(stream, revision: index + 1, initial: initial, reduce: reduce)?.state
    }

    /// Reduces the operations after the newest keyframe before `revision`; nil when one of them is a successful
    /// history operation. Stops when the job being prepared times out (``JobControl/current``).
    private func fold(
        _ stream: StreamID, revision: Int, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue, native: (any DocumentModel)? = nil
    ) async throws -> DocumentSnapshot.ScopeState? {
        let keyframe = try await store.latestKeyframe(of: stream, atOrBefore: revision - 1)
        let from = (keyframe?.index ?? -1) + 1
        let ops = from < revision ? try await store.operations(in: stream, fromIndex: from, limit: revision - from) : []
        return try Self.fold(stream, keyframe: keyframe, operations: ops, revision: revision, initial: initial, reduce: reduce, native: native)
    }

    /// Reduces `ops` (the operations after `keyframe` up to `revision`) from the keyframe's state, or `initial`
    /// without one; nil when one of them is a successful history operation or a merge. With `native`, on the model's
    /// native state when it has one.
    private static func fold(
        _ stream: StreamID, keyframe: Keyframe?, operations ops: [Operation], revision: Int, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue, native model: (any DocumentModel)? = nil
    ) throws -> DocumentSnapshot.ScopeState? {
        if ops.contains(where: { (stream.scope != Scope.document && $0.error == nil && BaseAction.isHistory($0.action.type)) || Self.isMerge($0) }) {
            return nil
        }
        let control = JobControl.current
        let start = keyframe.map(\.state) ?? initial
        let hash = ops.last?.hash ?? keyframe?.hash ?? StateHash.of(start)
        let last = ops.last.map(OperationOrder.init)
        func nondeterministic(_ op: Operation, _ error: any Error) -> ReactorError {
            ReactorError(.internal, "replay of \(stream) at index \(op.index) failed: the reducer is not deterministic (\(error))",
                         details: ["operationId": op.id])
        }
        if let model, var state = model.nativeState(from: start, scope: stream.scope) {
            for op in ops where op.error == nil {
                try control?.stopIfTimedOut()
                let outcome: Result<any NativeState, any Error>
                do { outcome = try state.reduceValidated(op.action) } catch { throw nondeterministic(op, error) }
                state = try outcome.mapError { nondeterministic(op, $0) }.get()
            }
            return .init(value: ScopeValue(native: state, model: ScopeValue.modelKey(model)), hash: hash, revision: revision, last: last)
        }
        var state = start
        for op in ops where op.error == nil {
            try control?.stopIfTimedOut()
            do {
                state = try reduce(state, op.action)
            } catch {
                throw nondeterministic(op, error)
            }
        }
        return .init(state: state, hash: hash, revision: revision, last: last)
    }

    /// The stream's history (effective steps and redo stack) at `revision`, whose state there is `state`.
    ///
    /// **Where it starts.** The operations are read backwards from `revision` to the newest *reset point*: a
    /// successful upgrade (a barrier: the history starts after it, from the upgraded state) or a successful `PRUNE`
    /// from 0 (the effective history is then one load step). Those are the stored keyframes that carry their
    /// effective history: a keyframe stores a stream's state and hash at an index (``Keyframe``), not the effective
    /// steps and redo stack at that index, and a replay can only start where those are implied. To start at any
    /// keyframe, a keyframe would have to carry the effective history too (the operation indices of the steps and of
    /// the redo stack, and the states of load steps, or references to their keyframes); no store keeps that today.
    ///
    /// **What it costs.** The operations since the reset point are restored without reducing
    /// (``History/restore(_:state:loadStates:)``); load steps get their states from the keyframes every prune stores.
    /// An undo then needs the state after one earlier operation, which ``storedState(_:after:initial:reduce:)`` reduces
    /// from the nearest keyframe. More than `limit` operations since the reset point fail with `HISTORY_TOO_LONG`
    /// before anything is reduced (nil: no limit).
    ///
    /// Without `state`, or when a keyframe is missing where one is always stored, every operation since the last
    /// upgrade is reduced again (``fullReplay(_:revision:initial:reduce:config:limit:)``).
    func history(
        _ stream: StreamID, revision: Int, state: JSONValue?, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue, config: HistoryConfig, limit: Int?
    ) async throws -> History {
        guard let state else { return try await fullReplay(stream, revision: revision, initial: initial, reduce: reduce, config: config, limit: limit) }
        let (reset, ops) = try await operationsSinceReset(stream, revision: revision, limit: limit)
        if ops.contains(where: Self.isMerge) {
            // A merge rewrote the effective order: the history follows from the effective log, reduced.
            return try await fullReplay(stream, revision: revision, initial: initial, reduce: reduce, config: config, limit: limit)
        }
        var history: History
        var restored = ops
        if let reset, reset.action.type == BaseAction.upgrade {
            guard let kf = try await store.latestKeyframe(of: stream, atOrBefore: reset.index), kf.index == reset.index else {
                throw ReactorError(.internal, "missing keyframe at upgrade \(reset.index) of \(stream)")
            }
            history = History(initialState: kf.state, checkpointInterval: config.checkpointInterval, reduce: reduce)
        } else {
            history = History(initialState: initial, checkpointInterval: config.checkpointInterval, reduce: reduce)
            if let reset {
                restored.insert(reset, at: 0)
                // The initial state is the last upgrade's before the prune (or the stream's): read only if an undo
                // goes past the prune (``initialState(_:before:initial:)``).
                history.forgetInitialState(before: reset.index)
            }
        }
        let missing = try history.restore(restored, state: state)
        var loads: [Int: JSONValue] = [:]
        for index in missing {
            guard let kf = try await store.latestKeyframe(of: stream, atOrBefore: index), kf.index == index else {
                return try await fullReplay(stream, revision: revision, initial: initial, reduce: reduce, config: config, limit: limit)
            }
            loads[index] = kf.state
        }
        history.resolveLoads(loads)
        return history
    }

    /// The initial state of a history restored from the `PRUNE` from 0 at `index` on: the state of the last upgrade
    /// before it (its keyframe), or the stream's `initial` state. Reads the operations before `index` backwards, page
    /// by page, until an upgrade; only an undo past that prune's load step needs it.
    func initialState(_ stream: StreamID, before index: Int, initial: JSONValue) async throws -> JSONValue {
        var end = index
        let control = JobControl.current
        while end > 0 {
            try control?.stopIfTimedOut()
            let from = max(0, end - Self.historyPageSize)
            let page = try await store.operations(in: stream, fromIndex: from, limit: end - from)
            if let upgrade = page.last(where: { $0.error == nil && $0.action.type == BaseAction.upgrade }) {
                guard let kf = try await store.latestKeyframe(of: stream, atOrBefore: upgrade.index), kf.index == upgrade.index else {
                    throw ReactorError(.internal, "missing keyframe at upgrade \(upgrade.index) of \(stream)")
                }
                return kf.state
            }
            end = from
        }
        return initial
    }

    /// How many operations one backward read asks for.
    static let historyPageSize = 1_000

    /// The newest reset point before `revision` (see ``history(_:revision:state:initial:reduce:config:limit:)``) and
    /// the operations after it, read backwards in pages; throws `HISTORY_TOO_LONG` as soon as there are more than
    /// `limit`.
    private func operationsSinceReset(_ stream: StreamID, revision: Int, limit: Int?) async throws -> (reset: Operation?, after: [Operation]) {
        var pages: [ArraySlice<Operation>] = []
        var end = revision
        var count = 0
        let control = JobControl.current
        while end > 0 {
            try control?.stopIfTimedOut()
            let from = max(0, end - Self.historyPageSize)
            let page = try await store.operations(in: stream, fromIndex: from, limit: end - from)
            let reset = page.lastIndex(where: Self.isReset)
            let after = page[(reset.map { $0 + 1 } ?? page.startIndex)...]
            count += after.count
            if let limit, count > limit { throw Self.tooLong(stream, count: count, limit: limit) }
            pages.append(after)
            if let reset { return (page[reset], pages.reversed().flatMap { $0 }) }
            end = from
        }
        return (nil, pages.reversed().flatMap { $0 })
    }

    /// A successful upgrade, or a successful `PRUNE` from 0: the effective history after it does not depend on what
    /// came before.
    static func isReset(_ op: Operation) -> Bool {
        guard op.error == nil else { return false }
        if op.action.type == BaseAction.upgrade { return true }
        return op.action.type == BaseAction.prune && (op.action.input["start"]?.intValue ?? 0) == 0
    }

    static func tooLong(_ stream: StreamID, count: Int, limit: Int) -> ReactorError {
        ReactorError(.historyTooLong,
                     "the history of scope '\(stream.scope)' has more than \(limit) operations since its last prune or upgrade, more than one undo, redo or prune may replay (reactor.max_history_replay_operations): PRUNE it (start 0) first",
                     details: ["scope": stream.scope, "branch": stream.branch, "limit": String(limit)])
    }

    /// The stream's history replayed by reducing every effective operation (``effective(_:)``) since the last upgrade
    /// (or from the start).
    /// Keeps a state only every ``HistoryConfig/checkpointInterval`` steps; stops when the job being prepared times out.
    func fullReplay(
        _ stream: StreamID, revision: Int, initial: JSONValue,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue, config: HistoryConfig, limit: Int?
    ) async throws -> History {
        let ops = revision > 0 ? Self.effective(try await store.operations(in: stream, fromIndex: 0, limit: revision)) : []
        let control = JobControl.current
        var history: History
        var replayed = ArraySlice(ops)
        if let barrier = ops.lastIndex(where: { $0.error == nil && $0.action.type == BaseAction.upgrade }) {
            let index = ops[barrier].index
            guard let kf = try await store.latestKeyframe(of: stream, atOrBefore: index), kf.index == index else {
                throw ReactorError(.internal, "missing keyframe at upgrade \(index) of \(stream)")
            }
            history = History(initialState: kf.state, checkpointInterval: config.checkpointInterval, reduce: reduce)
            replayed = ops[(barrier + 1)...]
        } else {
            history = History(initialState: initial, checkpointInterval: config.checkpointInterval, reduce: reduce)
        }
        if let limit, replayed.count > limit { throw Self.tooLong(stream, count: replayed.count, limit: limit) }
        history.interrupt = { try control?.stopIfTimedOut() }
        try history.replay(Array(replayed))
        return history
    }
}
