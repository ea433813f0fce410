import ReactorCore

extension JobRunner {
    /// Merges a peer's operations into the working document (a `.sync` job).
    ///
    /// Per stream, operations already held (by id) are dropped; the rest are ordered by ``OperationOrder``. When they
    /// all sort after the stream's last operation they are appended, each reduced on the state before it (the common
    /// case: nothing was written here concurrently). Otherwise the stream is *merged*: its effective operations and
    /// the new ones are sorted together; from the first position where that order differs from the stream's, a merge
    /// marker drops the local operations (``BaseAction/merge``, `skip` = how many), and they are re-appended after
    /// the new ones in merged order, each reduced again. The log stays append-only, and every reactor holding the
    /// same operations holds them in the same effective order: same state, same hash.
    func merge(_ incoming: [SyncOperation], into work: inout WorkingDocument?, job: Job) async throws {
        var streams: [String: [SyncOperation]] = [:]
        var seen = Set<String>()
        for item in incoming {
            let op = item.operation
            guard item.documentID == job.documentID, item.branch == job.branch, item.scope == op.action.scope else {
                throw ReactorError.invalidInput("operation '\(op.id)' is not of document '\(job.documentID)', branch '\(job.branch)'", path: "operations")
            }
            let stream = item.stream
            let expected = OperationID.make(stream: stream, actionID: op.action.id)
            guard op.id == expected else {
                throw ReactorError(.operationMismatch, "operation id '\(op.id)' does not match its stream and action id",
                                   details: ["operationId": op.id, "expected": expected])
            }
            guard op.action.type != BaseAction.merge, !(op.action.type == BaseAction.upgrade && item.scope != Scope.document) else {
                throw ReactorError.invalidInput("merge markers and upgrade steps are not exchanged", path: "operations")
            }
            guard seen.insert(op.id).inserted else { continue }
            streams[item.scope, default: []].append(item)
        }
        let held = try await store.existingOperationIDs(Array(seen))
        // The document scope first: it creates the document.
        let scopes = streams.keys.sorted { ($0 == Scope.document ? 0 : 1, $0) < ($1 == Scope.document ? 0 : 1, $1) }
        for scope in scopes {
            let fresh = streams[scope]!.filter { !held.contains($0.operation.id) }
                .sorted { OperationOrder($0.operation) < OperationOrder($1.operation) }
            guard let first = fresh.first else { continue }
            var last = work?.scopes[scope]?.last
            if last == nil, let sw = work?.scopes[scope], sw.operations.isEmpty, sw.startRevision > 0 {
                let branch = scope == Scope.document ? (work?.homeHeader?.branch ?? job.branch) : job.branch
                last = try await loader.lastOrder(StreamID(documentID: job.documentID, scope: scope, branch: branch), revision: sw.startRevision)
                work?.scopes[scope]?.last = last
            }
            if last.map({ $0 < OperationOrder(first.operation) }) ?? true {
                for item in fresh { try await append(item, to: &work, job: job) }
            } else {
                guard var doc = work else { throw ReactorError.documentNotFound(job.documentID) }
                if scope == Scope.document {
                    try await rebaseDocumentScope(fresh.map(\.operation), in: &doc, job: job)
                } else {
                    try await rebase(fresh.map(\.operation), scope: scope, in: &doc, job: job)
                }
                work = doc
            }
        }
    }

    /// Appends one operation that sorts after the stream's last one, checking its hash when the state before it is
    /// the one it had at its origin.
    private func append(_ item: SyncOperation, to work: inout WorkingDocument?, job: Job) async throws {
        let op = item.operation
        let before = work?.scopes[item.scope]
        let sameStart = item.previousHash != nil && item.previousHash == before?.hash && before?.history == nil
            && !BaseAction.isHistory(op.action.type)
        let stored = try await apply(op.action, operationID: op.id, to: &work, job: job, timestamp: op.timestamp)
        if sameStart, stored.hash != op.hash || (stored.error == nil) != (op.error == nil) {
            throw ReactorError(.operationMismatch,
                               "operation \(op.index) of \(item.stream) does not reproduce the state hash its origin recorded",
                               details: ["operationId": op.id, "expectedHash": op.hash, "actualHash": stored.hash, "check": "hash"])
        }
    }

    /// Merges `fresh` (sorted, none held) into a model scope whose last operation sorts after the first of them.
    private func rebase(_ fresh: [Operation], scope: String, in doc: inout WorkingDocument, job: Job) async throws {
        guard doc.model.scopes.contains(scope) else {
            throw ReactorError(.unknownScope, "document type '\(doc.header.documentType)' has no scope '\(scope)'", details: ["scope": scope])
        }
        guard var sw = doc.scopes[scope] else { throw ReactorError(.internal, "scope '\(scope)' missing from working document") }
        let stream = StreamID(documentID: doc.header.id, scope: scope, branch: job.branch)
        let plan = try await mergePlan(fresh, stream: stream, work: sw)
        let rewind = plan.rewind
        // The history of the effective operations that stay, from the last upgrade among them (whose keyframe holds
        // the state the current model reduces from).
        let prefix = plan.kept
        var start = try await initialState(of: stream, in: doc, job: job)
        var replayed = prefix[...]
        if let upgrade = prefix.lastIndex(where: { $0.error == nil && $0.action.type == BaseAction.upgrade }) {
            guard let kf = try await store.latestKeyframe(of: stream, atOrBefore: prefix[upgrade].index), kf.index == prefix[upgrade].index else {
                throw ReactorError(.internal, "missing keyframe at upgrade \(prefix[upgrade].index) of \(stream)")
            }
            start = kf.state
            replayed = prefix[(upgrade + 1)...]
        }
        guard replayed.count <= historyConfig.maxReplayOperations else {
            throw DocumentLoader.tooLong(stream, count: replayed.count, limit: historyConfig.maxReplayOperations)
        }
        let reduce = models.scopeReducer(doc.model, scope: scope)
        let config = historyConfig
        let control = JobControl.current
        let kept = Array(replayed)
        let moved = plan.moved
        let freshIDs = Set(fresh.map(\.id))
        let markerIndex = sw.revision
        let now = Clock.nowMilliseconds()
        let initial = start
        // Off the cooperative pool: replay the prefix, then write the marker and every moved operation.
        let (history, written, markerState) = try await threads.run { () throws -> (History, [Operation], JSONValue) in
            var history = History(initialState: initial, checkpointInterval: config.checkpointInterval, reduce: reduce)
            history.interrupt = { try control?.stopIfTimedOut() }
            try history.replay(kept)
            let markerState = history.state
            let markerID = "merge:\(markerIndex)"
            var written = [Operation(
                id: OperationID.make(stream: stream, actionID: markerID), index: markerIndex, skip: rewind, timestamp: now,
                hash: StateHash.of(history.state),
                action: Action(id: markerID, type: BaseAction.merge, scope: scope, input: ["rewind": .number(Double(rewind))], timestamp: now))]
            var index = markerIndex + 1
            for op in moved {
                try control?.stopIfTimedOut()
                let outcome = try history.apply(op.action, at: index)
                let id = freshIDs.contains(op.id) ? op.id : OperationID.make(stream: stream, actionID: "\(op.action.id)@\(index)")
                written.append(Operation(id: id, index: index, skip: outcome.skip, timestamp: op.timestamp,
                                         hash: StateHash.of(history.state), action: op.action, error: outcome.error))
                index += 1
            }
            return (history, written, markerState)
        }
        for op in written {
            let isMarker = op.action.type == BaseAction.merge
            sw.operations.append(op)
            if !isMarker { sw.last = OperationOrder(op) }
            sw.revision += 1
            sw.hash = op.hash
            doc.header.lastModifiedAt = max(doc.header.lastModifiedAt, op.timestamp)
        }
        // The marker's state (what the kept operations give) and the final state are stored as keyframes, so a load
        // never has to replay across the marker.
        sw.record(.init(index: markerIndex, state: markerState, hash: written[0].hash), recentLimit: 0, keyframe: true)
        sw.state = history.state
        sw.history = history
        sw.record(.init(index: sw.revision - 1, state: sw.state, hash: sw.hash), recentLimit: recentStates, keyframe: true)
        doc.scopes[scope] = sw
    }

    /// The effective operations of a stream that stay and the merged order of those that move: shared by both rebases.
    private func mergePlan(_ fresh: [Operation], stream: StreamID, work sw: WorkingDocument.ScopeWork) async throws
        -> (kept: ArraySlice<Operation>, moved: [Operation], rewind: Int)
    {
        var log = sw.startRevision > 0 ? try await store.operations(in: stream, fromIndex: 0, limit: sw.startRevision) : []
        log += sw.operations
        let effective = DocumentLoader.effective(log)
        var merged = effective + fresh
        merged.sort { OperationOrder($0) < OperationOrder($1) }
        var position = 0
        while position < effective.count, effective[position].id == merged[position].id { position += 1 }
        let rewind = effective.count - position
        guard rewind <= maxReshuffle else {
            throw ReactorError(.mergeTooLarge,
                               "merging into \(stream) would move \(rewind) local operations; at most \(maxReshuffle) may move (sync.max_reshuffle)",
                               details: ["scope": stream.scope, "rewind": String(rewind), "limit": String(maxReshuffle)])
        }
        let moved = Array(merged[position...])
        if moved.contains(where: { $0.action.type == BaseAction.upgrade || $0.action.type == SystemAction.upgrade }) {
            throw ReactorError(.mergeUnsupported, "operations of \(stream) from before an upgrade arrived after it and cannot be merged",
                               details: ["scope": stream.scope])
        }
        return (effective[..<position], moved, rewind)
    }

    /// Merges `fresh` into the `document` scope: the system state is reduced again in merged order, and the header
    /// (name, slug, deletion) and relationships follow from it. The creation always stays first.
    private func rebaseDocumentScope(_ fresh: [Operation], in doc: inout WorkingDocument, job: Job) async throws {
        guard doc.homeHeader == nil, var sw = doc.scopes[Scope.document] else {
            throw ReactorError(.mergeUnsupported, "the document scope of '\(doc.header.id)' lives on its branch '\(doc.homeHeader?.branch ?? job.branch)'",
                               details: ["scope": Scope.document])
        }
        let stream = StreamID(documentID: doc.header.id, scope: Scope.document, branch: job.branch)
        let plan = try await mergePlan(fresh, stream: stream, work: sw)
        guard !plan.kept.isEmpty else {
            throw ReactorError(.mergeUnsupported, "an operation of '\(doc.header.id)' sorts before its creation", details: ["scope": Scope.document])
        }
        var state = JSONValue.null
        for op in plan.kept { state = (try? SystemReducer.reduce(state, op.action)) ?? state }
        let before = sw.state
        let now = Clock.nowMilliseconds()
        let markerIndex = sw.revision
        let markerID = "merge:\(markerIndex)"
        let marker = Operation(
            id: OperationID.make(stream: stream, actionID: markerID), index: markerIndex, skip: plan.rewind, timestamp: now,
            hash: StateHash.of(state),
            action: Action(id: markerID, type: BaseAction.merge, scope: Scope.document, input: ["rewind": .number(Double(plan.rewind))], timestamp: now))
        sw.operations.append(marker)
        sw.record(.init(index: markerIndex, state: state, hash: marker.hash), recentLimit: 0, keyframe: true)
        sw.revision += 1
        let freshIDs = Set(fresh.map(\.id))
        var deletedAt: Int64?
        for op in plan.moved {
            state = (try? SystemReducer.reduce(state, op.action)) ?? state
            if op.action.type == SystemAction.delete, deletedAt == nil { deletedAt = op.timestamp }
            let id = freshIDs.contains(op.id) ? op.id : OperationID.make(stream: stream, actionID: "\(op.action.id)@\(sw.revision)")
            let written = Operation(id: id, index: sw.revision, timestamp: op.timestamp, hash: StateHash.of(state), action: op.action)
            sw.operations.append(written)
            sw.last = OperationOrder(written)
            sw.revision += 1
            doc.header.lastModifiedAt = max(doc.header.lastModifiedAt, op.timestamp)
        }
        sw.state = state
        sw.hash = StateHash.of(state)
        sw.record(.init(index: sw.revision - 1, state: state, hash: sw.hash), recentLimit: recentStates, keyframe: true)
        doc.scopes[Scope.document] = sw
        // The header and relationships the merged system state says.
        doc.header.name = state["name"]?.stringValue ?? ""
        doc.header.slug = state["slug"]?.stringValue
        if state["deleted"]?.boolValue == true {
            if doc.header.deletedAt == nil { doc.header.deletedAt = deletedAt ?? now }
        } else {
            doc.header.deletedAt = nil
        }
        func relationships(_ s: JSONValue) -> Set<Relationship> {
            Set((s["relationships"]?.arrayValue ?? []).map {
                Relationship(sourceID: doc.header.id, targetID: $0["targetId"]?.stringValue ?? "", type: $0["type"]?.stringValue ?? Relationship.child)
            })
        }
        let old = relationships(before), new = relationships(state)
        for r in new.subtracting(old) { doc.relationshipChanges[r] = true }
        for r in old.subtracting(new) { doc.relationshipChanges[r] = false }
    }
}
