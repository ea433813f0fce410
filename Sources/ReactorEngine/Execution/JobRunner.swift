import ReactorCore

/// Turns one job into one atomic ``Commit``: validation against the model, reduction, operation ids, hashes,
/// keyframes and relationship changes (identifiers and signatures were checked when the job was submitted,
/// ``Reactor/submit(_:)``). Pure with respect to visible state: nothing changes until the caller commits.
struct JobRunner: Sendable {
    let store: any ReactorStore
    let loader: DocumentLoader
    let models: ModelResolver
    let keyframeInterval: Int
    /// Limits of undo, redo and prune (``HistoryConfig``).
    var historyConfig = HistoryConfig()
    /// Recent states a job keeps per stream for the write cache's ring buffer (``WriteCacheConfig/ringBufferSize``);
    /// a job keeps no other intermediate states than these and its keyframes.
    var recentStates = 10
    /// Where reducers and state hashes run (off the cooperative pool).
    var threads = ModelThreads()
    /// The most local operations one sync merge may move (`sync.max_reshuffle`): more fail with `MERGE_TOO_LARGE`.
    var maxReshuffle = 1_000

    /// What a prepared job will write.
    struct Prepared {
        var work: WorkingDocument?
        var commit: Commit?
    }

    /// Prepares `job`. With `dedupe`, actions whose operation is already stored are skipped (re-delivery). `base` is
    /// the document to start from instead of the stored one: what an earlier job of the same commit leaves.
    func prepare(_ job: Job, dedupe: Bool, base: DocumentSnapshot? = nil) async throws -> Prepared {
        let existing = if let base { base } else { try await loader.snapshot(job.documentID, branch: job.branch) }
        var work: WorkingDocument?
        if let existing {
            let model = try await models.model(existing.header.documentType, version: existing.header.modelVersion)
            work = WorkingDocument(snapshot: existing, model: model)
        }
        switch job.payload {
        case .actions(let actions):
            let skip = dedupe ? try await storedOperationIDs(job, actions: actions) : []
            var seen = Set<String>()
            for action in actions {
                try JobControl.current?.stopIfTimedOut()
                let stream = StreamID(documentID: job.documentID, scope: action.scope, branch: job.branch)
                let opID = OperationID.make(stream: stream, actionID: action.id)
                if skip.contains(opID) || !seen.insert(opID).inserted { continue }
                _ = try await apply(action, operationID: opID, to: &work, job: job, timestamp: nil)
            }
        case .operations(let operations):
            for op in operations {
                try JobControl.current?.stopIfTimedOut()
                let stream = StreamID(documentID: job.documentID, scope: op.action.scope, branch: job.branch)
                let expectedID = OperationID.make(stream: stream, actionID: op.action.id)
                guard op.id == expectedID else {
                    throw ReactorError(.operationMismatch, "operation id '\(op.id)' does not match its stream and action id",
                                       details: ["operationId": op.id, "expected": expectedID])
                }
                let revision = work?.scopes[op.action.scope]?.revision ?? 0
                if op.index < revision {
                    try await checkAlreadyStored(op, stream: stream, work: work)
                    continue
                }
                guard op.index == revision else {
                    throw ReactorError(.operationGap, "operation \(op.index) of \(stream) leaves a gap: the stream is at revision \(revision)",
                                       details: ["stream": stream.description, "index": String(op.index), "revision": String(revision)])
                }
                let stored = try await apply(op.action, operationID: op.id, to: &work, job: job, timestamp: op.timestamp)
                guard stored.hash == op.hash || op.hash.isEmpty, (stored.error == nil) == (op.error == nil), stored.skip == op.skip else {
                    throw ReactorError(.operationMismatch, "operation \(op.index) of \(stream) does not reproduce: hash, error or skip differs",
                                       details: ["operationId": op.id, "expectedHash": op.hash, "actualHash": stored.hash])
                }
            }
        case .sync(let origin, let operations):
            try await merge(operations, into: &work, job: job)
            guard let work, work.hasChanges else { return Prepared(work: work, commit: nil) }
            return Prepared(work: work, commit: work.commit(branch: job.branch, origin: origin))
        }
        guard let work, work.hasChanges else { return Prepared(work: work, commit: nil) }
        return Prepared(work: work, commit: work.commit(branch: job.branch))
    }

    private func storedOperationIDs(_ job: Job, actions: [Action]) async throws -> Set<String> {
        let ids = actions.map { OperationID.make(stream: StreamID(documentID: job.documentID, scope: $0.scope, branch: job.branch), actionID: $0.id) }
        return try await store.existingOperationIDs(ids)
    }

    private func checkAlreadyStored(_ op: Operation, stream: StreamID, work: WorkingDocument?) async throws {
        let inJob = work?.scopes[stream.scope]?.operations.first { $0.index == op.index }
        let stored: Operation?
        if let inJob { stored = inJob } else { stored = try await store.operations(in: stream, fromIndex: op.index, limit: 1).first }
        guard let stored, stored.id == op.id else {
            throw ReactorError(.operationMismatch, "index \(op.index) of \(stream) already holds another operation",
                               details: ["operationId": op.id, "stored": stored?.id ?? "none"])
        }
    }

    /// Applies one action and records its operation. Returns the operation. A nil `timestamp` is a local write's:
    /// now, ordered after the stream's last operation (``OperationOrder/next(after:now:actionID:)``).
    func apply(
        _ action: Action, operationID: String, to work: inout WorkingDocument?, job: Job, timestamp: Int64?
    ) async throws -> Operation {
        if action.scope == Scope.document {
            return try await applySystem(action, operationID: operationID, to: &work, job: job, timestamp: timestamp)
        }
        guard var doc = work else { throw ReactorError.documentNotFound(job.documentID) }
        guard !doc.header.isDeleted else { throw ReactorError.documentDeleted(job.documentID) }
        guard doc.model.scopes.contains(action.scope) else {
            throw ReactorError(.unknownScope, "document type '\(doc.header.documentType)' has no scope '\(action.scope)'",
                               details: ["scope": action.scope, "path": "actions.scope"])
        }
        if action.type == BaseAction.upgrade {
            throw ReactorError.invalidInput("upgrade a document with UPGRADE_DOCUMENT in the 'document' scope", path: "actions.type")
        }
        if action.type == BaseAction.merge {
            throw ReactorError.invalidInput("MERGE is written by sync only", path: "actions.type")
        }
        let op = try await reduce(action, operationID: operationID, scope: action.scope, in: &doc, job: job, timestamp: timestamp)
        work = doc
        return op
    }

    /// Reduces a model-scope action (ordinary or history) into the working document.
    private func reduce(
        _ action: Action, operationID: String, scope: String, in doc: inout WorkingDocument, job: Job, timestamp given: Int64?
    ) async throws -> Operation {
        guard var sw = doc.scopes[scope] else { throw ReactorError(.internal, "scope '\(scope)' missing from working document") }
        if given == nil, sw.last == nil, sw.operations.isEmpty {
            sw.last = try await loader.lastOrder(StreamID(documentID: doc.header.id, scope: scope, branch: job.branch), revision: sw.startRevision)
        }
        let timestamp = given ?? OperationOrder.next(after: sw.last, now: Clock.nowMilliseconds(), actionID: action.id)
        let isHistory = BaseAction.isHistory(action.type)
        if isHistory && sw.history == nil {
            sw.history = try await loadHistory(for: action, scope: scope, work: sw, in: doc, job: job)
        }
        if action.type == BaseAction.undo, let history = sw.history, let need = history.stateNeededForUndo {
            sw.history = try await provide(need, to: history, scope: scope, work: sw, in: doc, job: job)
        }
        var skip = 0
        var error: String?
        let model = doc.model
        let revision = sw.revision
        // Model code runs on a model thread (``ModelThreads``): a reducer that blocks or never returns holds no
        // thread of the cooperative pool, and the job is released at its timeout.
        if !isHistory, sw.history == nil {
            // The common path: validate (a throw fails the job) and reduce (a failure is recorded) in one step, on the
            // model's native state when it has one (no decode of the whole state per action).
            let current = sw.value
            let modelKey = ScopeValue.modelKey(model)
            let (next, hash, reducerError) = try await threads.run { () throws -> (ScopeValue?, String?, String?) in
                if let native = current.native(for: modelKey) ?? model.nativeState(from: current.json, scope: scope) {
                    switch try native.reduceValidated(action) {
                    case .success(let next):
                        do {
                            let canonical = try next.canonicalData()
                            return (ScopeValue(native: next, model: modelKey), StateHash.of(canonical: canonical), nil)
                        } catch {
                            return (nil, nil, History.describe(error))
                        }
                    case .failure(let reducerError): return (nil, nil, History.describe(reducerError))
                    }
                }
                switch try model.reduceValidated(state: current.json, action: action) {
                case .success(let next): return (ScopeValue(json: next), StateHash.of(next), nil)
                case .failure(let reducerError): return (nil, nil, History.describe(reducerError))
                }
            }
            if let next, let hash {
                sw.value = next
                sw.hash = hash
            }
            error = reducerError
        } else if let history = sw.history {
            let (after, outcome, hash) = try await threads.run { () throws -> (History, History.Outcome, String?) in
                if !isHistory { try model.validate(action) }
                var history = history
                let outcome = try history.apply(action, at: revision)
                return (history, outcome, outcome.error == nil ? StateHash.of(history.state) : nil)
            }
            skip = outcome.skip
            error = outcome.error
            if let hash {
                sw.state = after.state
                sw.hash = hash
            }
            sw.history = after
        } else {
            throw ReactorError(.internal, "history action '\(action.type)' without a loaded history")
        }
        let op = Operation(id: operationID, index: sw.revision, skip: skip, timestamp: timestamp, hash: sw.hash, action: action, error: error)
        sw.operations.append(op)
        sw.last = OperationOrder(op)
        sw.record(.init(index: op.index, value: sw.value, hash: sw.hash), recentLimit: recentStates,
                  keyframe: (isHistory && error == nil) || (keyframeInterval > 0 && (op.index + 1) % keyframeInterval == 0))
        sw.revision += 1
        doc.scopes[scope] = sw
        doc.header.lastModifiedAt = max(doc.header.lastModifiedAt, timestamp)
        return op
    }

    /// The history of a scope for its first history action in the job: restored from the store up to where the job
    /// started (``DocumentLoader/history(_:revision:state:initial:reduce:config:limit:)``), then the job's own earlier
    /// operations of the scope replayed on it. More than ``HistoryConfig/maxReplayOperations`` operations fail the job
    /// with `HISTORY_TOO_LONG`, except for a `PRUNE` from 0 (the way out of a history that is too long). The replay
    /// stops when the job times out.
    private func loadHistory(
        for action: Action, scope: String, work sw: WorkingDocument.ScopeWork, in doc: WorkingDocument, job: Job
    ) async throws -> History {
        let reduce = models.scopeReducer(doc.model, scope: scope)
        let stream = StreamID(documentID: doc.header.id, scope: scope, branch: job.branch)
        let initial = try await initialState(of: stream, in: doc, job: job)
        let pruneAll = action.type == BaseAction.prune && (action.input["start"]?.intValue ?? 0) == 0
        let limit = pruneAll ? nil : max(0, historyConfig.maxReplayOperations - sw.operations.count)
        if let limit, limit == 0 {
            throw DocumentLoader.tooLong(stream, count: sw.operations.count, limit: historyConfig.maxReplayOperations)
        }
        var history = try await loader.history(stream, revision: sw.startRevision, state: sw.startState, initial: initial,
                                               reduce: reduce, config: historyConfig, limit: limit)
        let control = JobControl.current
        history.interrupt = { try control?.stopIfTimedOut() }
        guard !sw.operations.isEmpty else { return history }
        let inJob = sw.operations
        let restored = history
        return try await threads.run {
            var replayed = restored
            try replayed.replay(inJob)
            return replayed
        }
    }

    /// Gives `history` the state its next undo needs (``History/stateNeededForUndo``): the stored state it returns to,
    /// reduced from the nearest keyframe rather than from the start of the history, or the initial state of a
    /// history restored from a `PRUNE` from 0 on.
    private func provide(
        _ need: History.StateNeed, to history: History, scope: String, work sw: WorkingDocument.ScopeWork, in doc: WorkingDocument, job: Job
    ) async throws -> History {
        var history = history
        let stream = StreamID(documentID: doc.header.id, scope: scope, branch: job.branch)
        if case .after(let origin) = need, origin < sw.startRevision,
           let stored = try await loader.storedState(stream, after: origin, initial: history.initialState,
                                                     reduce: models.scopeReducer(doc.model, scope: scope)) {
            history.provideState(stored, afterOperation: origin)
        } else if let before = history.initialStateUnknownBefore {
            // Without that state (or when the initial state itself is needed) the history folds from its start.
            let initial = try await initialState(of: stream, in: doc, job: job)
            history.provideInitialState(try await loader.initialState(stream, before: before, initial: initial))
        }
        return history
    }

    /// The state `stream` starts from: given at creation in this job, or stored (``DocumentLoader/initialState(_:model:homeBranch:)``).
    func initialState(of stream: StreamID, in doc: WorkingDocument, job: Job) async throws -> JSONValue {
        if let given = doc.initialStates[stream.scope] { return given }
        return try await loader.initialState(stream, model: doc.model, homeBranch: doc.homeHeader?.branch ?? job.branch)
    }

    /// Applies a `document`-scope system action.
    private func applySystem(
        _ action: Action, operationID: String, to work: inout WorkingDocument?, job: Job, timestamp given: Int64?
    ) async throws -> Operation {
        try SystemReducer.validate(action)
        if action.type == SystemAction.create {
            guard work == nil else {
                throw ReactorError(.documentExists, "document '\(job.documentID)' already exists", details: ["documentId": job.documentID])
            }
            work = try await created(by: action, job: job, timestamp: given ?? Clock.nowMilliseconds())
        }
        guard var doc = work else { throw ReactorError.documentNotFound(job.documentID) }
        if given == nil, action.type != SystemAction.create, let system = doc.scopes[Scope.document], system.last == nil, system.operations.isEmpty {
            let home = doc.homeHeader?.branch ?? job.branch
            doc.scopes[Scope.document]?.last = try await loader.lastOrder(StreamID(documentID: doc.header.id, scope: Scope.document, branch: home),
                                                                          revision: system.startRevision)
        }
        let timestamp = given ?? (action.type == SystemAction.create ? doc.header.createdAt
            : OperationOrder.next(after: doc.scopes[Scope.document]?.last, now: Clock.nowMilliseconds(), actionID: action.id))
        if let home = doc.homeHeader?.branch {
            throw ReactorError.invalidInput(
                "document-scope actions (name, slug, relationships, delete, upgrade) apply to the whole document: write them on its branch '\(home)'",
                path: "branch")
        }
        if action.type != SystemAction.create {
            guard !doc.header.isDeleted else { throw ReactorError.documentDeleted(job.documentID) }
        }
        switch action.type {
        case SystemAction.addRelationship:
            // A peer's relationship was checked where it was written; its target may arrive later, or not at all
            // (outside the filter).
            if case .sync = job.payload {} else { try await checkRelationship(action, source: doc.header.id) }
            doc.relationshipChanges[SystemReducer.relationship(of: action, source: doc.header.id)] = true
        case SystemAction.removeRelationship:
            doc.relationshipChanges[SystemReducer.relationship(of: action, source: doc.header.id)] = false
        case SystemAction.setSlug:
            let slug = action.input["slug"]?.stringValue
            if let slug, let owner = try await store.documentID(forSlug: slug), owner != doc.header.id {
                throw ReactorError(.slugTaken, "slug '\(slug)' is used by document '\(owner)'", details: ["slug": slug])
            }
            doc.header.slug = slug
        case SystemAction.setName:
            doc.header.name = action.input["name"]?.stringValue ?? ""
        case SystemAction.delete:
            doc.header.deletedAt = timestamp
        case SystemAction.upgrade:
            let to = action.input["toVersion"]?.intValue ?? 0
            let from = doc.header.modelVersion
            // The target model first: a model loaded at run time brings its upgrade step (``SelfUpgradingModel``).
            let target = try? await models.model(doc.header.documentType, version: to)
            _ = try models.upgradePath(doc.header.documentType, from: from, to: to)
            let newModel = if let target { target } else { try await models.model(doc.header.documentType, version: to) }
            let upgrade = Action(id: "\(action.id)/upgrade", type: BaseAction.upgrade, scope: "", input: [
                "fromVersion": .number(Double(from)), "toVersion": .number(Double(to)),
            ], timestamp: action.timestamp)
            for scope in doc.model.scopes.sorted() where doc.scopes[scope] != nil {
                var scoped = upgrade
                scoped.scope = scope
                let stream = StreamID(documentID: doc.header.id, scope: scope, branch: job.branch)
                _ = try await reduce(scoped, operationID: OperationID.make(stream: stream, actionID: scoped.id), scope: scope,
                                     in: &doc, job: job, timestamp: given)
            }
            for scope in newModel.scopes where doc.scopes[scope] == nil {
                let s = newModel.initialState(scope: scope)
                doc.scopes[scope] = .init(state: s, hash: StateHash.of(s), revision: 0, startRevision: 0)
            }
            doc.model = newModel
            doc.header.modelVersion = to
        default:
            break
        }
        var sw = doc.scopes[Scope.document]!
        sw.state = try SystemReducer.reduce(sw.state, action)
        sw.hash = StateHash.of(sw.state)
        let op = Operation(id: operationID, index: sw.revision, timestamp: timestamp, hash: sw.hash, action: action)
        sw.operations.append(op)
        sw.last = OperationOrder(op)
        sw.record(.init(index: op.index, state: sw.state, hash: sw.hash), recentLimit: recentStates,
                  keyframe: keyframeInterval > 0 && (op.index + 1) % keyframeInterval == 0)
        sw.revision += 1
        doc.scopes[Scope.document] = sw
        doc.header.lastModifiedAt = max(doc.header.lastModifiedAt, timestamp)
        work = doc
        return op
    }

    private func created(by action: Action, job: Job, timestamp: Int64) async throws -> WorkingDocument {
        let input = action.input
        let documentType = input["documentType"]?.stringValue ?? ""
        let model = try await models.model(documentType, version: input["modelVersion"]?.intValue)
        let slug = input["slug"]?.stringValue
        if let slug, let owner = try await store.documentID(forSlug: slug) {
            throw ReactorError(.slugTaken, "slug '\(slug)' is used by document '\(owner)'", details: ["slug": slug])
        }
        var scopes: [String: JSONValue] = [Scope.document: .null]
        var initialStates: [String: JSONValue] = [:]
        let given = input["initialState"]?.objectValue ?? [:]
        for (scope, _) in given where !model.scopes.contains(scope) {
            throw ReactorError(.unknownScope, "document type '\(documentType)' has no scope '\(scope)'", details: ["path": "input.initialState.\(scope)"])
        }
        for scope in model.scopes {
            if let s = given[scope] {
                scopes[scope] = s
                initialStates[scope] = s
            } else {
                scopes[scope] = model.initialState(scope: scope)
            }
        }
        let header = DocumentHeader(
            id: job.documentID, slug: slug, name: input["name"]?.stringValue ?? "", documentType: documentType,
            modelVersion: model.version, branch: job.branch, createdAt: timestamp, lastModifiedAt: timestamp,
            signer: action.context?.signer, meta: input["meta"]?.objectValue ?? [:])
        var doc = WorkingDocument(created: header, model: model, scopes: scopes)
        doc.initialStates = initialStates
        return doc
    }

    private func checkRelationship(_ action: Action, source: String) async throws {
        let rel = SystemReducer.relationship(of: action, source: source)
        guard rel.targetID != source else {
            throw ReactorError.invalidInput("a document cannot be related to itself", path: "input.targetId")
        }
        guard let target = try await store.header(id: rel.targetID) else { throw ReactorError.documentNotFound(rel.targetID) }
        guard !target.isDeleted else { throw ReactorError.documentDeleted(rel.targetID) }
        guard rel.type == Relationship.child else { return }
        // Refuse cycles: the new child must not be an ancestor of the source.
        var frontier = [source]
        var visited: Set<String> = [source]
        while let id = frontier.popLast() {
            for parent in try await store.relationships(to: id, type: Relationship.child) where visited.insert(parent.sourceID).inserted {
                if parent.sourceID == rel.targetID {
                    throw ReactorError.invalidInput("adding '\(rel.targetID)' as a child of '\(source)' would create a cycle", path: "input.targetId")
                }
                frontier.append(parent.sourceID)
            }
        }
    }
}
