import ReactorCore

extension Reactor {
    /// The default wait for a consistency token.
    public static let defaultConsistencyTimeout: Duration = .seconds(10)

    /// The document with `id`. With a `token`, waits (up to `timeout`) until the read side has indexed it.
    /// Throws `DOCUMENT_NOT_FOUND`, `DOCUMENT_DELETED` or `CONSISTENCY_TIMEOUT`.
    public func get(_ id: String, branch: String = Branch.main, consistencyToken token: ConsistencyToken? = nil,
                    timeout: Duration = Reactor.defaultConsistencyTimeout) async throws -> Document {
        if let token { try await consistency.wait(for: token, store: store, timeout: timeout) }
        guard let snapshot = try await snapshot(id, branch: branch, covering: token) else { throw ReactorError.documentNotFound(id) }
        guard !snapshot.header.isDeleted else { throw ReactorError.documentDeleted(id) }
        return snapshot.document
    }

    /// The document's snapshot, at least as new as `token` says (once the token was waited for): a cached copy that
    /// is older (another node wrote the document after this node cached it) is reloaded from the store.
    func snapshot(_ id: String, branch: String, covering token: ConsistencyToken?) async throws -> DocumentSnapshot? {
        guard let snapshot = try await loader.snapshot(id, branch: branch) else { return nil }
        guard let token, !Self.snapshot(snapshot, covers: token) else { return snapshot }
        writeCache.invalidate(id, branch: branch)
        return try await loader.snapshot(id, branch: branch)
    }

    /// Whether `snapshot` includes every coordinate `token` has for its document and branch.
    static func snapshot(_ snapshot: DocumentSnapshot, covers token: ConsistencyToken) -> Bool {
        token.coordinates.allSatisfy { c in
            c.documentID != snapshot.header.id || c.branch != snapshot.header.branch
                || (snapshot.scopes[c.scope]?.revision ?? 0) > c.operationIndex
        }
    }

    /// What `identifier` names as an id and as a slug: from ``identifiers`` when it named a document before and no
    /// header changed since, otherwise from the store (and then cached).
    ///
    /// In a cluster a read with a consistency token asks the store: the token may have been satisfied from the store
    /// before this node's follower saw (and invalidated) another node's header change. On one node the cache is
    /// invalidated before any token is handed out.
    func resolve(_ identifier: String, consistencyToken token: ConsistencyToken?) async throws -> IdentifierCache.Resolution {
        let (cached, generation) = identifiers.lookup(identifier)
        if let cached, token == nil || ledger == nil { return cached }
        let bySlug = try await store.documentID(forSlug: identifier)
        let byID = try await store.header(id: identifier) != nil ? identifier : nil
        let resolution = IdentifierCache.Resolution(byID: byID, bySlug: bySlug)
        identifiers.store(resolution, for: identifier, generation: generation)
        return resolution
    }

    /// The document whose slug is `slug`.
    public func getBySlug(_ slug: String, branch: String = Branch.main, consistencyToken token: ConsistencyToken? = nil) async throws -> Document {
        if let token { try await consistency.wait(for: token, store: store, timeout: Self.defaultConsistencyTimeout) }
        guard let id = try await resolve(slug, consistencyToken: token).bySlug else {
            throw ReactorError(.documentNotFound, "no document with slug '\(slug)'", details: ["slug": slug])
        }
        return try await get(id, branch: branch, consistencyToken: token)
    }

    /// The document whose id or slug is `identifier`. Throws `AMBIGUOUS_IDENTIFIER` when it is the id of one document
    /// and the slug of another.
    public func getByIdOrSlug(_ identifier: String, branch: String = Branch.main, consistencyToken token: ConsistencyToken? = nil) async throws -> Document {
        try await get(try await documentID(identifier, consistencyToken: token), branch: branch, consistencyToken: token)
    }

    /// The id of the document whose id or slug is `identifier` (deleted or not). Throws `DOCUMENT_NOT_FOUND` or
    /// `AMBIGUOUS_IDENTIFIER`.
    func documentID(_ identifier: String, consistencyToken token: ConsistencyToken?) async throws -> String {
        if let token { try await consistency.wait(for: token, store: store, timeout: Self.defaultConsistencyTimeout) }
        let resolution = try await resolve(identifier, consistencyToken: token)
        switch (resolution.byID, resolution.bySlug) {
        case (let a?, let b?) where a != b:
            throw ReactorError(.ambiguousIdentifier, "'\(identifier)' is the id of one document and the slug of another",
                               details: ["identifier": identifier, "byId": a, "bySlug": b])
        case (let id?, _), (nil, let id?):
            return id
        case (nil, nil):
            throw ReactorError.documentNotFound(identifier)
        }
    }

    /// One page of documents matching `query`, in creation order.
    public func find(_ query: DocumentQuery, page: PageRequest = PageRequest(), branch: String = Branch.main,
                     consistencyToken token: ConsistencyToken? = nil) async throws -> Page<Document> {
        try await find(query, page: page, branch: branch, consistencyToken: token, where: nil)
    }

    /// ``find(_:page:branch:consistencyToken:)`` keeping only the documents `include` accepts, decided on the header
    /// before the document is read.
    func find(_ query: DocumentQuery, page: PageRequest, branch: String, consistencyToken token: ConsistencyToken?,
              where include: (@Sendable (DocumentHeader) async throws -> Bool)?) async throws -> Page<Document> {
        if let token { try await consistency.wait(for: token, store: store, timeout: Self.defaultConsistencyTimeout) }
        let headers = try await store.findHeaders(matching: query, page: page)
        var documents: [Document] = []
        documents.reserveCapacity(headers.items.count)
        for header in headers.items {
            if let include, try await !include(header) { continue }
            if let snapshot = try await snapshot(header.id, branch: branch, covering: token) { documents.append(snapshot.document) }
        }
        return Page(items: documents, nextCursor: headers.nextCursor)
    }

    /// One page of a document's operations, in ordinal order.
    public func operations(_ query: OperationQuery, page: PageRequest = PageRequest(), consistencyToken token: ConsistencyToken? = nil) async throws -> Page<OperationRecord> {
        if let token { try await consistency.wait(for: token, store: store, timeout: Self.defaultConsistencyTimeout) }
        guard try await store.header(id: query.documentID) != nil else { throw ReactorError.documentNotFound(query.documentID) }
        return try await store.operations(matching: query, page: page)
    }

    /// The state of one stream after the operation at `index` (from the ring buffer when recent, else from the
    /// newest keyframe at or before it).
    public func state(of stream: StreamID, at index: Int) async throws -> (state: JSONValue, hash: String) {
        if let recent = writeCache.recentState(stream, index: index) { return (recent.state, recent.hash) }
        guard let header = try await store.header(id: stream.documentID) else { throw ReactorError.documentNotFound(stream.documentID) }
        let revision = try await store.revisions(documentID: stream.documentID, branch: stream.branch)[stream.scope] ?? 0
        guard index >= 0, index < revision else {
            throw ReactorError(.invalidArgument, "\(stream) has no operation \(index) (revision \(revision))", details: ["path": "index"])
        }
        let loaded: DocumentSnapshot.ScopeState
        if stream.scope == Scope.document {
            loaded = try await loader.loadStream(stream, revision: index + 1, initial: .null, reduce: SystemReducer.reduce)
        } else {
            let model = try await models.model(header.documentType, version: header.modelVersion)
            let initial = try await loader.initialState(stream, model: model, homeBranch: header.branch)
            loaded = try await loader.loadStream(stream, revision: index + 1, initial: initial, reduce: models.scopeReducer(model, scope: stream.scope))
        }
        return (loaded.state, loaded.hash)
    }

    // MARK: Relationship graph (the document indexer)

    /// The relationship graph: children, parents, ancestors, orphans.
    public var documentIndexer: DocumentIndexer { DocumentIndexer(store: store, cache: writeCache) }

    /// Ids of `id`'s children (targets of its `child` relationships), deleted ones left out.
    public func children(of id: String) async throws -> [String] { try await documentIndexer.children(of: id) }

    /// Ids of the documents that have `id` as a child, deleted ones left out.
    public func parents(of id: String) async throws -> [String] { try await documentIndexer.parents(of: id) }

    /// Every ancestor of `id` (parents, their parents, …), nearest first, each once.
    public func ancestors(of id: String) async throws -> [String] { try await documentIndexer.ancestors(of: id) }

    /// Relationships held by `id` (all types).
    public func relationships(of id: String) async throws -> [Relationship] { try await store.relationships(from: id, type: nil) }

    /// Live documents (of `documentType`, if given) that are nobody's child.
    public func orphans(documentType: String? = nil, page: PageRequest = PageRequest()) async throws -> Page<String> {
        try await documentIndexer.orphans(documentType: documentType, page: page)
    }
}
