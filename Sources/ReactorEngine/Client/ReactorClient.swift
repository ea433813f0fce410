import Foundation
import ReactorCore

/// The high-level client of a reactor in this process: every write waits for `READ_READY` and returns the resulting
/// document; actions are signed with the client's signer; identifiers may be ids or slugs.
///
/// It is the in-process ``DocumentClient`` (`ReactorClient+DocumentClient.swift`): code written against
/// `any DocumentClient` runs the same on it and on `RemoteReactorClient` (`ReactorRemote`), the client of a reactor
/// behind a server.
public struct ReactorClient: Sendable {
    /// The reactor the client drives.
    public let reactor: Reactor
    /// The reactor's sync manager (``ReactorModule/sync``), for the sync calls; nil when it runs no sync.
    public let sync: SyncManager?
    /// Signs every action the client submits (nil: the reactor's default signer, if any).
    public let signer: (any Signer)?
    /// How long a write may take before the client gives up waiting (the job itself keeps its own timeout).
    public var timeout: Duration

    /// A client of `reactor` (with its `sync` manager, when it runs one).
    public init(reactor: Reactor, sync: SyncManager? = nil, signer: (any Signer)? = nil, timeout: Duration = .seconds(60)) {
        self.reactor = reactor
        self.sync = sync
        self.signer = signer
        self.timeout = timeout
    }

    /// A client of the module's reactor and sync manager.
    public init(module: ReactorModule, signer: (any Signer)? = nil, timeout: Duration = .seconds(60)) {
        self.init(reactor: module.reactor, sync: module.sync, signer: signer, timeout: timeout)
    }

    // MARK: Reads

    /// The document whose id or slug is `identifier`.
    public func get(_ identifier: String, branch: String = Branch.main) async throws -> Document {
        try await reactor.getByIdOrSlug(identifier, branch: branch)
    }

    /// The document whose id or slug is `identifier`, as it was at `point` (``Reactor/get(_:at:branch:consistencyToken:)``).
    public func get(_ identifier: String, at point: DocumentPoint, branch: String = Branch.main) async throws -> Document {
        try await reactor.getByIdOrSlug(identifier, at: point, branch: branch)
    }

    /// How `scope` of the document whose id or slug is `identifier` changed from revision `from` to `to`
    /// (``Reactor/diff(_:scope:from:to:branch:consistencyToken:)``).
    public func diff(_ identifier: String, scope: String, from: Int, to: Int, branch: String = Branch.main) async throws -> DocumentDiff {
        try await reactor.diff(try await reactor.documentID(identifier, consistencyToken: nil), scope: scope, from: from, to: to, branch: branch)
    }

    /// One page of documents matching `query`.
    public func find(_ query: DocumentQuery, page: PageRequest = PageRequest()) async throws -> Page<Document> {
        try await reactor.find(query, page: page)
    }

    /// The children of `identifier`, as documents.
    public func children(of identifier: String, page: PageRequest = PageRequest()) async throws -> Page<Document> {
        let parent = try await get(identifier)
        let ids = try await reactor.children(of: parent.id)
        guard !ids.isEmpty else { return Page(items: [], nextCursor: nil) }
        return try await reactor.find(DocumentQuery(ids: ids), page: page)
    }

    /// The parents of `identifier`, as documents.
    public func parents(of identifier: String, page: PageRequest = PageRequest()) async throws -> Page<Document> {
        let child = try await get(identifier)
        let ids = try await reactor.parents(of: child.id)
        guard !ids.isEmpty else { return Page(items: [], nextCursor: nil) }
        return try await reactor.find(DocumentQuery(ids: ids), page: page)
    }

    // MARK: Writes

    /// Creates a document and returns it.
    public func create(_ document: NewDocument) async throws -> Document {
        let job = try await reactor.create(document, signer: signer)
        return try await finish(job, documentID: document.id, branch: document.branch)
    }

    /// Creates an empty document of `documentType`.
    public func createEmpty(_ documentType: String, slug: String? = nil, name: String = "") async throws -> Document {
        try await create(NewDocument(documentType: documentType, slug: slug, name: name))
    }

    /// Creates `document` as a file of the drive `driveIdentifier` (in `parentFolder`, or at the root): the
    /// document, the drive's `ADD_FILE` node and the drive→document `child` relationship, as one batch.
    public func createDocumentInDrive(_ driveIdentifier: String, _ document: NewDocument, parentFolder: String? = nil) async throws -> Document {
        let drive = try await get(driveIdentifier)
        var node: [String: JSONValue] = [
            "id": .string(document.id), "name": .string(document.name.isEmpty ? document.id : document.name),
            "documentType": .string(document.documentType),
        ]
        if let parentFolder { node["parentFolder"] = .string(parentFolder) }
        let result = try await reactor.executeBatch([
            BatchJob(key: "create", documentID: document.id, branch: document.branch, actions: [document.createAction]),
            BatchJob(key: "link", documentID: drive.id, actions: [
                Action(type: "ADD_FILE", input: .object(node)),
                Action(type: SystemAction.addRelationship, scope: Scope.document, input: ["targetId": .string(document.id), "type": .string(Relationship.child)]),
            ], dependsOn: ["create"]),
        ], signer: signer)
        _ = try await reactor.waitForJob(result["create"]!.id, timeout: timeout)
        _ = try await reactor.waitForJob(result["link"]!.id, timeout: timeout)
        return try await reactor.get(document.id, branch: document.branch)
    }

    /// Applies `actions` to the document and returns it afterwards.
    public func execute(_ identifier: String, branch: String = Branch.main, actions: [Action]) async throws -> Document {
        let id = try await get(identifier, branch: branch).id
        let job = try await reactor.execute(id, branch: branch, actions: actions, signer: signer)
        return try await finish(job, documentID: id, branch: branch)
    }

    /// Queues `actions` for the document as one job and returns the job without waiting.
    public func submit(_ identifier: String, branch: String = Branch.main, actions: [Action]) async throws -> JobInfo {
        let id = try await get(identifier, branch: branch).id
        return try await reactor.execute(id, branch: branch, actions: actions, signer: signer)
    }

    /// Renames a document.
    public func rename(_ identifier: String, to name: String) async throws -> Document {
        try await execute(identifier, actions: [Action(type: SystemAction.setName, scope: Scope.document, input: ["name": .string(name)])])
    }

    /// Moves `childIdentifiers` from one parent to another (one batch: add to the target, then remove from the source).
    public func moveChildren(_ childIdentifiers: [String], from sourceIdentifier: String, to targetIdentifier: String) async throws -> (source: Document, target: Document) {
        let source = try await get(sourceIdentifier)
        let target = try await get(targetIdentifier)
        var ids: [String] = []
        for c in childIdentifiers { ids.append(try await get(c).id) }
        let result = try await reactor.executeBatch([
            BatchJob(key: "add", documentID: target.id, actions: ids.map {
                Action(type: SystemAction.addRelationship, scope: Scope.document, input: ["targetId": .string($0)])
            }),
            BatchJob(key: "remove", documentID: source.id, actions: ids.map {
                Action(type: SystemAction.removeRelationship, scope: Scope.document, input: ["targetId": .string($0)])
            }, dependsOn: ["add"]),
        ], signer: signer)
        _ = try await reactor.waitForJob(result["add"]!.id, timeout: timeout)
        _ = try await reactor.waitForJob(result["remove"]!.id, timeout: timeout)
        return (try await reactor.get(source.id), try await reactor.get(target.id))
    }

    /// Deletes one document.
    public func delete(_ identifier: String) async throws {
        let id = try await get(identifier).id
        _ = try await reactor.waitForJob(try await reactor.deleteDocument(id, signer: signer).id, timeout: timeout)
    }

    /// Deletes several documents (concurrently; each is its own job). Throws the first failure after all finished.
    public func deleteDocuments(_ identifiers: [String]) async throws {
        var jobs: [JobInfo] = []
        for identifier in identifiers {
            let id = try await get(identifier).id
            jobs.append(try await reactor.deleteDocument(id, signer: signer))
        }
        var firstError: (any Error)?
        for job in jobs {
            do { _ = try await reactor.waitForJob(job.id, timeout: timeout) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    // MARK: Subscriptions

    /// Changes to documents matching `query`, as they land, in global ordinal order (see ``SubscriptionManager``).
    /// With `after` (an earlier change's ``DocumentChange/position``), the changes missed since are replayed first.
    /// Iterating throws `SUBSCRIPTION_OVERFLOW` when more than `bufferLimit` changes waited for the caller.
    public func subscribe(_ query: DocumentQuery, after: Int64? = nil,
                          bufferLimit: Int = SubscriptionManager.defaultBufferLimit) async throws -> Subscription {
        try await reactor.subscriptions.open(query, after: after, bufferLimit: bufferLimit)
    }

    private func finish(_ job: JobInfo, documentID: String, branch: String) async throws -> Document {
        let info = try await reactor.waitForJob(job.id, timeout: timeout)
        return try await reactor.get(documentID, branch: branch, consistencyToken: info.consistencyToken)
    }
}
