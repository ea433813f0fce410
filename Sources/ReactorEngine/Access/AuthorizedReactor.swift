import ReactorCore

/// The reactor's document API as one ``Principal`` may use it: the one place where document permissions are
/// enforced (`docs/security.md`). The HTTP routes (documents, operations, relationships, jobs, batches, subscriptions
/// and sync) reach documents only through it.
///
/// - A document the principal cannot read does not exist for it: `DOCUMENT_NOT_FOUND` (404), never a "forbidden"
///   that would confirm the id; an anonymous caller gets `UNAUTHENTICATED` (401) instead, as without a token before.
/// - A document it can read but not change answers `FORBIDDEN` (403) to a change.
/// - Searches and relationship lists leave out what it cannot read.
///
/// Writes are checked when they are submitted, against the permissions of that moment.
public struct AuthorizedReactor: Sendable {
    public let reactor: Reactor
    public let principal: Principal

    /// How many store pages a search reads to fill one page of readable documents.
    public static let maxPagesPerSearch = 8

    public init(reactor: Reactor, principal: Principal) {
        self.reactor = reactor
        self.principal = principal
    }

    // MARK: Checks

    /// The principal's capability on `documentID`; nil when there is no such document.
    public func capability(on documentID: String) async throws -> Capability? {
        if principal.isUnrestricted { return .administer }
        return try await DocumentAccessRules.capability(of: principal, on: documentID) { try await reactor.access.entry($0) }
    }

    /// Whether the principal may read `documentID` (false when it does not exist). A store that fails to answer is
    /// its error, never "not readable": a read answers 503, not a 404 for a document that is there.
    public func mayRead(_ documentID: String) async throws -> Bool {
        if principal.isUnrestricted { return true }
        return (try await capability(on: documentID)).map { $0 >= .read } ?? false
    }

    /// ``mayRead(_:)`` for live streams (subscriptions, sync pages), which have no request to fail: a document whose
    /// access cannot be read now is left out (fail closed).
    public func canRead(_ documentID: String) async -> Bool {
        (try? await mayRead(documentID)) ?? false
    }

    /// Throws unless the principal has `needed` on `documentID` (see the type's documentation for which error).
    public func require(_ needed: Capability, on documentID: String) async throws {
        if principal.isUnrestricted { return }
        let held = try await capability(on: documentID) ?? .none
        if held >= needed { return }
        if held < .read {
            if principal.isAnonymous {
                throw ReactorError(.unauthenticated, "this call needs a bearer token (Authorization: Bearer <token>)")
            }
            throw ReactorError.documentNotFound(documentID)
        }
        throw ReactorError(.forbidden, "this needs the '\(needed.rawValue)' permission on document '\(documentID)'",
                           details: ["documentId": documentID, "capability": needed.rawValue])
    }

    private func requireIdentified() throws {
        if principal.isAnonymous {
            throw ReactorError(.unauthenticated, "this call needs a bearer token (Authorization: Bearer <token>)")
        }
    }

    // MARK: Reads

    /// The id of the readable document whose id or slug is `identifier` (a document the principal cannot read is
    /// not considered, so a slug never reveals it).
    public func resolve(_ identifier: String, consistencyToken token: ConsistencyToken? = nil) async throws -> String {
        if let token { try await reactor.consistency.wait(for: token, store: reactor.store, timeout: Reactor.defaultConsistencyTimeout) }
        let resolution = try await reactor.resolve(identifier, consistencyToken: token)
        var byID = resolution.byID
        var bySlug = resolution.bySlug
        if let id = byID, try await !mayRead(id) { byID = nil }
        if let id = bySlug, try await !mayRead(id) { bySlug = nil }
        switch (byID, bySlug) {
        case (let a?, let b?) where a != b:
            throw ReactorError(.ambiguousIdentifier, "'\(identifier)' is the id of one document and the slug of another",
                               details: ["identifier": identifier, "byId": a, "bySlug": b])
        case (let id?, _), (nil, let id?):
            return id
        case (nil, nil):
            if principal.isAnonymous { try requireIdentified() }
            throw ReactorError.documentNotFound(identifier)
        }
    }

    /// The document whose id or slug is `identifier`, when the principal may read it.
    public func getByIdOrSlug(_ identifier: String, branch: String = Branch.main, consistencyToken token: ConsistencyToken? = nil) async throws -> Document {
        let id = try await resolve(identifier, consistencyToken: token)
        return try await reactor.get(id, branch: branch, consistencyToken: token)
    }

    /// The document `id`, when the principal may read it.
    public func get(_ id: String, branch: String = Branch.main, consistencyToken token: ConsistencyToken? = nil,
                    timeout: Duration = Reactor.defaultConsistencyTimeout) async throws -> Document {
        if let token { try await reactor.consistency.wait(for: token, store: reactor.store, timeout: timeout) }
        try await require(.read, on: id)
        return try await reactor.get(id, branch: branch, consistencyToken: token, timeout: timeout)
    }

    /// The document whose id or slug is `identifier`, when the principal may read it, as it was at `point`
    /// (``Reactor/get(_:at:branch:consistencyToken:)``). An unreadable document is `DOCUMENT_NOT_FOUND`.
    public func getByIdOrSlug(_ identifier: String, at point: DocumentPoint, branch: String = Branch.main,
                              consistencyToken token: ConsistencyToken? = nil) async throws -> Document {
        let id = try await resolve(identifier, consistencyToken: token)
        return try await reactor.get(id, at: point, branch: branch, consistencyToken: token)
    }

    /// How `scope` of the readable document whose id or slug is `identifier` changed from revision `from` to `to`
    /// (``Reactor/diff(_:scope:from:to:branch:consistencyToken:)``). An unreadable document is `DOCUMENT_NOT_FOUND`.
    public func diff(_ identifier: String, scope: String, from: Int, to: Int, branch: String = Branch.main,
                     consistencyToken token: ConsistencyToken? = nil) async throws -> DocumentDiff {
        let id = try await resolve(identifier, consistencyToken: token)
        return try await reactor.diff(id, scope: scope, from: from, to: to, branch: branch, consistencyToken: token)
    }

    /// One page of the readable documents matching `query`. A page may hold fewer than `page.limit` documents when
    /// the store's next ones are not readable (up to ``maxPagesPerSearch`` store pages are read to fill it); follow
    /// `nextCursor` until it is nil.
    public func find(_ query: DocumentQuery, page: PageRequest = PageRequest(), branch: String = Branch.main,
                     consistencyToken token: ConsistencyToken? = nil) async throws -> Page<Document> {
        try requireIdentified()
        if principal.isUnrestricted { return try await reactor.find(query, page: page, branch: branch, consistencyToken: token) }
        let limit = try page.validatedLimit()
        var items: [Document] = []
        var cursor = page.cursor
        var rounds = 0
        let check = self
        repeat {
            let next = try await reactor.find(query, page: PageRequest(cursor: cursor, limit: limit - items.count), branch: branch,
                                              consistencyToken: rounds == 0 ? token : nil) { try await check.mayRead($0.id) }
            items += next.items
            cursor = next.nextCursor
            rounds += 1
        } while items.count < limit && cursor != nil && rounds < Self.maxPagesPerSearch
        return Page(items: items, nextCursor: cursor)
    }

    /// One page of a readable document's operations.
    public func operations(_ query: OperationQuery, page: PageRequest = PageRequest(), consistencyToken token: ConsistencyToken? = nil) async throws -> Page<OperationRecord> {
        if let token { try await reactor.consistency.wait(for: token, store: reactor.store, timeout: Reactor.defaultConsistencyTimeout) }
        try await require(.read, on: query.documentID)
        return try await reactor.operations(query, page: page)
    }

    /// Ids of a readable document's readable children.
    public func children(of id: String) async throws -> [String] {
        try await require(.read, on: id)
        return try await readable(try await reactor.children(of: id))
    }

    /// Ids of the readable documents that have a readable document `id` as a child.
    public func parents(of id: String) async throws -> [String] {
        try await require(.read, on: id)
        return try await readable(try await reactor.parents(of: id))
    }

    /// A readable document's relationships (outgoing and incoming) whose other end is readable too.
    public func relationships(of id: String) async throws -> (outgoing: [Relationship], incoming: [Relationship]) {
        try await require(.read, on: id)
        var outgoing: [Relationship] = []
        for r in try await reactor.relationships(of: id) where try await mayRead(r.targetID) { outgoing.append(r) }
        var incoming: [Relationship] = []
        for r in try await reactor.store.relationships(to: id, type: nil) where try await mayRead(r.sourceID) { incoming.append(r) }
        return (outgoing, incoming)
    }

    /// A job, when its document is readable (or does not exist: a create that did not happen). Otherwise
    /// `JOB_NOT_FOUND`, as for an unknown job.
    public func jobInfo(_ jobID: String) async throws -> JobInfo {
        try await visible(try await reactor.jobInfo(jobID))
    }

    /// ``jobInfo(_:)`` once the job is `READ_READY` or failed, up to `timeout`.
    public func waitForJobInfo(_ jobID: String, timeout: Duration) async throws -> JobInfo {
        _ = try await jobInfo(jobID)
        return try await visible(try await reactor.waitForJobInfo(jobID, timeout: timeout))
    }

    private func visible(_ info: JobInfo) async throws -> JobInfo {
        if principal.isUnrestricted { return info }
        try requireIdentified()
        if let held = try await capability(on: info.documentID), held < .read {
            throw ReactorError(.jobNotFound, "no job '\(info.id)'", details: ["jobId": info.id])
        }
        return info
    }

    private func readable(_ ids: [String]) async throws -> [String] {
        if principal.isUnrestricted { return ids }
        var out: [String] = []
        for id in ids where try await mayRead(id) { out.append(id) }
        return out
    }

    // MARK: Writes

    /// Creates a document; the principal becomes its creator (who administers it).
    public func create(_ document: NewDocument) async throws -> JobInfo {
        try requireIdentified()
        var document = document
        if !principal.isUnrestricted { document.createdBy = principal.subject }
        return try await reactor.create(document)
    }

    /// Reduces `actions` on a document, after checking each needs no more than the principal holds.
    public func execute(_ documentID: String, branch: String = Branch.main, actions: [Action]) async throws -> JobInfo {
        try await check(actions, on: documentID, created: [])
        return try await reactor.execute(documentID, branch: branch, actions: actions)
    }

    /// Deletes a document the principal administers.
    public func deleteDocument(_ documentID: String) async throws -> JobInfo {
        try await require(.administer, on: documentID)
        return try await reactor.deleteDocument(documentID)
    }

    /// Makes `childIDs` children of `parentID` (write on the parent; administer on each child, which then inherits
    /// the parent's grants).
    public func addChildren(_ parentID: String, _ childIDs: [String], branch: String = Branch.main) async throws -> JobInfo {
        try await require(.write, on: parentID)
        for child in childIDs { try await require(.administer, on: child) }
        return try await reactor.addChildren(parentID, childIDs, branch: branch)
    }

    /// Removes `childIDs` from `parentID`'s children (write on the parent).
    public func removeChildren(_ parentID: String, _ childIDs: [String], branch: String = Branch.main) async throws -> JobInfo {
        try await require(.write, on: parentID)
        return try await reactor.removeChildren(parentID, childIDs, branch: branch)
    }

    /// Submits a batch after checking every job. A job that creates its document makes the principal its creator;
    /// later jobs of the batch on that document are the creator's only when they depend (directly or through other
    /// jobs) on the creating job, so they never run on someone else's document of the same id.
    public func executeBatch(_ jobs: [BatchJob]) async throws -> [String: JobInfo] {
        try requireIdentified()
        if principal.isUnrestricted { return try await reactor.executeBatch(jobs) }
        var jobs = jobs
        var creators: [String: String] = [:] // document id → key of the job creating it
        for i in jobs.indices where jobs[i].actions.first?.type == SystemAction.create {
            jobs[i].actions[0] = try stamped(jobs[i].actions[0])
            if creators[jobs[i].documentID] == nil, try await reactor.access.entry(jobs[i].documentID) == nil {
                creators[jobs[i].documentID] = jobs[i].key
            }
        }
        let byKey = Dictionary(jobs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for job in jobs {
            let owned = Set(creators.filter { document, key in key == job.key || Self.dependsOn(job, key, byKey) }.keys)
            try await check(job.actions, on: job.documentID, created: owned)
        }
        return try await reactor.executeBatch(jobs)
    }

    /// Whether `job` depends on the job `key`, directly or through others.
    static func dependsOn(_ job: BatchJob, _ key: String, _ byKey: [String: BatchJob]) -> Bool {
        var seen: Set<String> = []
        var stack = job.dependsOn
        while let next = stack.popLast() {
            if next == key { return true }
            guard seen.insert(next).inserted, let j = byKey[next] else { continue }
            stack.append(contentsOf: j.dependsOn)
        }
        return false
    }

    /// `CREATE_DOCUMENT` naming the principal as its creator. A client may name itself; naming anyone else is
    /// refused, and so is a signed create without it (the server cannot add it without breaking the signature).
    private func stamped(_ action: Action) throws -> Action {
        guard let subject = principal.subject else { return action }
        if let given = action.input["createdBy"], given != .null {
            guard given.stringValue == subject else {
                throw ReactorError.invalidInput("'createdBy' must be the caller ('\(subject)') or left out", path: "input.createdBy")
            }
            return action
        }
        guard action.context?.signatures.isEmpty ?? true else {
            throw ReactorError.invalidInput("a signed CREATE_DOCUMENT must name its creator: add \"createdBy\": \"\(subject)\" before signing",
                                            path: "input.createdBy")
        }
        var action = action
        var input = action.input.objectValue ?? [:]
        input["createdBy"] = .string(subject)
        action.input = .object(input)
        return action
    }

    /// Checks that the principal may apply `actions` to `documentID` (`created`: documents this request creates,
    /// which the principal administers).
    func check(_ actions: [Action], on documentID: String, created: Set<String>) async throws {
        try requireIdentified()
        if principal.isUnrestricted { return }
        func needs(_ capability: Capability, _ id: String) async throws {
            if created.contains(id) { return }
            try await require(capability, on: id)
        }
        var needed = Capability.none
        for action in actions {
            guard action.scope == Scope.document else { needed = max(needed, .write); continue }
            switch action.type {
            case SystemAction.create:
                continue
            case SystemAction.delete, SystemAction.setPermission, SystemAction.removePermission:
                needed = .administer
            case SystemAction.addRelationship:
                needed = max(needed, .write)
                if let target = action.input["targetId"]?.stringValue { try await needs(.administer, target) }
            default:
                needed = max(needed, .write)
            }
        }
        if needed > .none { try await needs(needed, documentID) }
    }

    // MARK: Sync

    /// Checks operations a sync peer sends: each document they change must be writable by the principal (or not
    /// exist yet); grants and deletions need administer, as from any client.
    public func checkIncoming(_ operations: [SyncOperation]) async throws {
        try requireIdentified()
        if principal.isUnrestricted { return }
        var byDocument: [String: [Action]] = [:]
        for op in operations { byDocument[op.documentID, default: []].append(op.operation.action) }
        for (documentID, actions) in byDocument.sorted(by: { $0.key < $1.key }) {
            let exists = try await reactor.access.entry(documentID) != nil
            // Any operation on an existing document is a change to it (even one it already holds).
            if exists { try await require(.write, on: documentID) }
            try await check(actions, on: documentID, created: exists ? [] : [documentID])
        }
    }
}
