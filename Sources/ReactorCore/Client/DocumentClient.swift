/// What a Swift program does with a reactor, wherever the reactor runs: one API for a reactor in the same process
/// (the engine's `ReactorClient`) and for one behind a server (`RemoteReactorClient` in `ReactorRemote`, over the
/// HTTP API), so code written against `any DocumentClient` never asks where the reactor is.
///
/// - Writes (``create(_:)``, ``execute(_:branch:actions:)``, ``delete(_:)``) wait until the job is `READ_READY` and
///   return the document as the job left it; ``submit(_:branch:actions:)`` only queues the actions and returns the
///   job, for ``waitForJob(_:timeout:)`` (or ``waitForSync(_:timeout:)``) later.
/// - Identifiers are a document's id or its slug; `branch` is `main` unless given.
/// - Failures are ``ReactorError``s with the same ``ReactorError/code`` on every client: a validation error of the
///   model is `INVALID_INPUT` or `UNKNOWN_ACTION`, a missing document `DOCUMENT_NOT_FOUND`, and so on. A reducer that
///   throws does not fail the write: the operation records the error (`REDUCER_ERROR`) and the state is unchanged.
/// - ``changes(_:after:)`` yields the live changes of matching documents in global ordinal order, each with a
///   ``DocumentChange/position`` to resume after.
///
/// A remote client adds failures of its own: `PEER_UNAVAILABLE` when the server cannot be reached, and the server's
/// authentication codes (`UNAUTHENTICATED`, `TOKEN_EXPIRED`, …) for its bearer token. `docs/client.md` has the guide.
public protocol DocumentClient: Sendable {
    // MARK: Writes

    /// Creates a document and returns it. `DOCUMENT_EXISTS` or `SLUG_TAKEN` when its id or slug is used.
    func create(_ document: NewDocument) async throws -> Document

    /// Applies `actions` to the document `identifier` (id or slug) on `branch`, in order, as one job, and returns the
    /// document afterwards. The job fails whole (nothing written) when the model refuses an action.
    func execute(_ identifier: String, branch: String, actions: [Action]) async throws -> Document

    /// Queues `actions` for the document `identifier` on `branch` as one job and returns the job at once (`PENDING`
    /// or later): wait for it with ``waitForJob(_:timeout:)``.
    func submit(_ identifier: String, branch: String, actions: [Action]) async throws -> JobInfo

    /// Deletes the document `identifier` (a soft delete: it is then not found, and cannot be written).
    func delete(_ identifier: String) async throws

    // MARK: Jobs

    /// The job `id` as it is now. `JOB_NOT_FOUND` when no job has that id.
    func job(_ id: String) async throws -> JobInfo

    /// Waits until the job `id` is `READ_READY` and returns it; throws the job's error when it failed, and
    /// `JOB_TIMEOUT` when it did not finish within `timeout`.
    func waitForJob(_ id: String, timeout: Duration) async throws -> JobInfo

    // MARK: Reads

    /// The document whose id or slug is `identifier`, as `branch` sees it. `DOCUMENT_NOT_FOUND` when there is none
    /// (or it was deleted).
    func get(_ identifier: String, branch: String) async throws -> Document

    /// One page of the documents matching `query`; pass the page's `nextCursor` back for the next one.
    func find(_ query: DocumentQuery, page: PageRequest) async throws -> Page<Document>

    /// One page of the operations of the document `identifier` on `branch` (every scope), in ordinal order.
    func operations(of identifier: String, branch: String, page: PageRequest) async throws -> Page<OperationRecord>

    /// One page of the children of `identifier` (the targets of its `child` relationships), as documents.
    func children(of identifier: String, page: PageRequest) async throws -> Page<Document>

    /// One page of the parents of `identifier` (the documents that hold it as a `child`), as documents.
    func parents(of identifier: String, page: PageRequest) async throws -> Page<Document>

    // MARK: Subscriptions

    /// The changes to documents matching `query`, live, in global ordinal order, each once. With `after` (an earlier
    /// change's ``DocumentChange/position``) the changes since are replayed first, with no gap and no duplicate.
    ///
    /// The subscription is open when this returns (`INVALID_RESUME_POSITION` for a position the reactor does not
    /// have). Iterating throws `SUBSCRIPTION_OVERFLOW` (with `details.resumeAfter`) when the subscriber fell too far
    /// behind; a remote client also throws `TOKEN_EXPIRED` (with `details.resumeAfter`) when its token expired, and
    /// reconnects by itself after a dropped connection. Ending the iteration (or cancelling its task) ends the
    /// subscription.
    func changes(_ query: DocumentQuery, after position: Int64?) async throws -> DocumentChanges

    // MARK: Sync

    /// The sync remotes of the reactor with their state and cursors (`UNSUPPORTED` when it runs no sync). Over HTTP
    /// this needs the admin role (or the local admin token) and remotes' tokens show as `"***"`.
    func syncRemotes() async throws -> [SyncRemoteStatus]

    /// The remote `name` with its state and cursors; `REMOTE_NOT_FOUND` when there is none.
    func syncRemote(_ name: String) async throws -> SyncRemoteStatus

    /// Waits until every running remote that pushes has acknowledged the operations of job `jobID` (the remotes have
    /// caught up with it) and returns their acknowledgements; `SYNC_TIMEOUT` naming the remotes still behind after
    /// `timeout`.
    func waitForSync(_ jobID: String, timeout: Duration) async throws -> [SyncAcknowledgement]
}

extension DocumentClient {
    /// Creates an empty document of `documentType`.
    public func createEmpty(_ documentType: String, slug: String? = nil, name: String = "") async throws -> Document {
        try await create(NewDocument(documentType: documentType, slug: slug, name: name))
    }

    /// Applies `actions` to the document `identifier` on `main` and returns it afterwards.
    public func execute(_ identifier: String, actions: [Action]) async throws -> Document {
        try await execute(identifier, branch: Branch.main, actions: actions)
    }

    /// Queues `actions` for the document `identifier` on `main` and returns the job.
    public func submit(_ identifier: String, actions: [Action]) async throws -> JobInfo {
        try await submit(identifier, branch: Branch.main, actions: actions)
    }

    /// Waits up to 60 seconds for the job `id` (see ``waitForJob(_:timeout:)``).
    public func waitForJob(_ id: String) async throws -> JobInfo {
        try await waitForJob(id, timeout: .seconds(60))
    }

    /// The document `identifier` on `main`.
    public func get(_ identifier: String) async throws -> Document {
        try await get(identifier, branch: Branch.main)
    }

    /// The first page (100) of the documents matching `query`.
    public func find(_ query: DocumentQuery) async throws -> Page<Document> {
        try await find(query, page: PageRequest())
    }

    /// One page of the operations of `identifier` on `main`.
    public func operations(of identifier: String, page: PageRequest = PageRequest()) async throws -> Page<OperationRecord> {
        try await operations(of: identifier, branch: Branch.main, page: page)
    }

    /// The first page of the children of `identifier`.
    public func children(of identifier: String) async throws -> Page<Document> {
        try await children(of: identifier, page: PageRequest())
    }

    /// The first page of the parents of `identifier`.
    public func parents(of identifier: String) async throws -> Page<Document> {
        try await parents(of: identifier, page: PageRequest())
    }

    /// The live changes to documents matching `query`, from now on.
    public func changes(_ query: DocumentQuery) async throws -> DocumentChanges {
        try await changes(query, after: nil)
    }

    /// Waits up to 30 seconds for the remotes to acknowledge job `jobID` (see ``waitForSync(_:timeout:)``).
    public func waitForSync(_ jobID: String) async throws -> [SyncAcknowledgement] {
        try await waitForSync(jobID, timeout: .seconds(30))
    }
}
