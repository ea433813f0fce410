/// Everything a document load reads from a store, read in one consistent snapshot
/// (``DocumentLoadStore/loadDocument(id:branch:)``): the header, the revisions, and for each stream the newest keyframe
/// and the operations after it, all of one version of the document.
public struct StoredDocument: Sendable, Hashable {
    /// The stored header (the document's; `header.branch` is its home branch).
    public var header: DocumentHeader
    /// The next index of each scope of the requested branch (scopes without operations are absent).
    public var revisions: [String: Int]
    /// The streams to reduce, by scope: every scope of the requested branch with operations, and the `document` scope
    /// of the home branch (which holds name, slug, relationships and deletion on every branch), also when it has none.
    public var streams: [String: StoredStream]
    /// The initial states given at creation (keyframes at index -1), by scope: the requested branch's, or where it has
    /// none the home branch's.
    public var initialStates: [String: Keyframe]

    /// Creates a load result.
    public init(header: DocumentHeader, revisions: [String: Int], streams: [String: StoredStream], initialStates: [String: Keyframe]) {
        self.header = header
        self.revisions = revisions
        self.streams = streams
        self.initialStates = initialStates
    }
}

/// One stream of a ``StoredDocument``: where to start reducing and what to reduce, up to its revision.
public struct StoredStream: Sendable, Hashable {
    /// The stream.
    public var stream: StreamID
    /// Its next index.
    public var revision: Int
    /// The newest keyframe with index ≤ `revision - 1` (the initial state at -1 counts), if any.
    public var keyframe: Keyframe?
    /// The operations after `keyframe` (from index 0 without one) up to `revision`, in index order.
    public var operations: [Operation]
    /// The stream's last operation (index `revision - 1`), nil when it has none; read even when `operations` is empty.
    public var last: Operation?

    /// Creates a stream's load result.
    public init(stream: StreamID, revision: Int, keyframe: Keyframe?, operations: [Operation], last: Operation?) {
        self.stream = stream
        self.revision = revision
        self.keyframe = keyframe
        self.operations = operations
        self.last = last
    }
}

/// A store that loads a document in one call, on one consistent snapshot.
public protocol DocumentLoadStore: Sendable {
    /// The stored parts of document `id` on `branch` (see ``StoredDocument``), read in one read transaction, so that
    /// a commit landing meanwhile is seen entirely or not at all; nil when no such document exists.
    func loadDocument(id: String, branch: String) async throws -> StoredDocument?
}
