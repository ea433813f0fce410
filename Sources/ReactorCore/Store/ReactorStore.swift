/// The append-only operation log, read by stream, by document and by global ordinal.
public protocol OperationStore: Sendable {
    /// Operations of `stream` with index ≥ `fromIndex`, in index order, at most `limit` of them.
    func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [Operation]
    /// The highest index of an operation of `stream` whose timestamp is at or before `timestamp` (milliseconds since
    /// 1970); nil when there is none. A time-travel read finds a stream's revision at a moment with it. A stream's
    /// timestamps grow with its index, except that a merge re-appends operations with their own, earlier timestamps
    /// after its marker: the answer is still the highest such index, never the first.
    func lastOperationIndex(in stream: StreamID, atOrBefore timestamp: Int64) async throws -> Int?
    /// The next index of each scope of a document's branch (scopes without operations are absent).
    func revisions(documentID: String, branch: String) async throws -> [String: Int]
    /// One page of a document's operations matching `query`, in ordinal order.
    func operations(matching query: OperationQuery, page: PageRequest) async throws -> Page<OperationRecord>
    /// Operations with ordinal > `ordinal`, in ordinal order, at most `limit`: the feed for processors and sync.
    func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord]
    /// The highest ordinal given so far (0 when empty).
    func latestOrdinal() async throws -> Int64
    /// Which of these operation ids are stored.
    func existingOperationIDs(_ ids: [String]) async throws -> Set<String>
    /// Operations with `ordinal` < ordinal ≤ `through`, in ordinal order, at most `limit`, read once every operation
    /// up to `through` is readable: a store whose feed may lag its commits waits for it (see `OrdinalFeed.swift`).
    func operations(afterOrdinal ordinal: Int64, through: Int64, limit: Int) async throws -> [OperationRecord]
    /// The ordinal up to which the feed is complete: no operation at or below it can still appear. A reader that
    /// starts following the feed starts here (see `OrdinalFeed.swift`).
    func completeOrdinal() async throws -> Int64
}

/// Snapshots of stream states, so that loading costs O(operations since the last keyframe).
public protocol KeyframeStore: Sendable {
    /// The newest keyframe of `stream` with index ≤ `index` (the newest overall when `index` is nil).
    func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe?
}

/// The persisted document view: headers, slugs and relationships, searchable.
public protocol DocumentViewStore: Sendable {
    /// The header of `id`, deleted or not; nil when unknown.
    func header(id: String) async throws -> DocumentHeader?
    /// The id of the document with `slug`, if any.
    func documentID(forSlug slug: String) async throws -> String?
    /// One page of headers matching `query`, in creation order.
    func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader>
    /// Relationships held by `sourceID` (of `type`, or all types).
    func relationships(from sourceID: String, type: String?) async throws -> [Relationship]
    /// Relationships pointing at `targetID` (of `type`, or all types).
    func relationships(to targetID: String, type: String?) async throws -> [Relationship]
}

/// Persisted positions of processors (and other ordinal-feed consumers).
public protocol CursorStore: Sendable {
    /// The last ordinal `name` finished with, or nil if it never ran.
    func cursor(named name: String) async throws -> Int64?
    /// Records that `name` finished every operation up to `ordinal`.
    func saveCursor(named name: String, ordinal: Int64) async throws
}

/// A complete reactor store. Every adapter (in-memory, SQLite, PostgreSQL) passes the store conformance suite in
/// `ReactorTesting`.
///
/// Writes go only through ``commit(_:)``. Each commit is atomic; commits given together may be stored in one
/// transaction (group commit), but each succeeds or fails on its own, in order.
public protocol ReactorStore: OperationStore, KeyframeStore, DocumentViewStore, DocumentGraphStore, DocumentLoadStore, CursorStore {
    /// Creates or upgrades the schema. Idempotent.
    func migrate() async throws
    /// The schema migrations ``migrate()`` would apply now, oldest first (empty when the schema is current). A server
    /// configured not to migrate at boot refuses to start while this is not empty.
    func pendingMigrations() async throws -> [String]
    /// Stores each commit atomically, in order, and reports each one's outcome.
    func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>]
    /// Releases connections and files. The store is unusable afterwards.
    func close() async throws
}

extension ReactorStore {
    /// Stores one commit atomically.
    public func commit(_ commit: Commit) async throws -> CommitReceipt {
        let results = await self.commit([commit])
        guard let first = results.first else { throw ReactorError(.internal, "store returned no result for a commit") }
        return try first.get()
    }

    public func close() async throws {}

    /// A store without a schema (in memory) has nothing to migrate.
    public func pendingMigrations() async throws -> [String] { [] }
}
