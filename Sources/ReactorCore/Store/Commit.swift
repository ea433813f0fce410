/// Everything one job writes, stored atomically: all of it or none of it.
public struct Commit: Sendable {
    /// The document's header after this commit (inserted on create, replaced otherwise).
    public var header: DocumentHeader
    /// True when this commit creates the document: the store fails with `DOCUMENT_EXISTS` if it already exists.
    public var createsDocument: Bool
    /// The operations to append, per stream, each with the revision the writer expects the stream to be at.
    public var appends: [StreamAppend]
    /// Snapshots to store alongside.
    public var keyframes: [Keyframe]
    public var relationshipsAdded: [Relationship]
    public var relationshipsRemoved: [Relationship]
    /// The job this commit completes, when jobs are recorded in a ``JobLedger`` shared by several nodes. A store that
    /// holds the ledger's records checks the fence and marks the job written in the same transaction (see
    /// ``JobFence``); other stores ignore it.
    public var job: JobFence?
    /// The peer reactor the commit's operations came from (a sync load), stored with each operation
    /// (``OperationRecord/origin``); nil for local writes.
    public var origin: String?

    public init(
        header: DocumentHeader, createsDocument: Bool = false, appends: [StreamAppend], keyframes: [Keyframe] = [],
        relationshipsAdded: [Relationship] = [], relationshipsRemoved: [Relationship] = [], job: JobFence? = nil,
        origin: String? = nil
    ) {
        self.job = job
        self.origin = origin
        self.header = header
        self.createsDocument = createsDocument
        self.appends = appends
        self.keyframes = keyframes
        self.relationshipsAdded = relationshipsAdded
        self.relationshipsRemoved = relationshipsRemoved
    }

    /// How many operations the commit appends.
    public var operationCount: Int { appends.reduce(0) { $0 + $1.operations.count } }
}

/// Operations to append to one stream. The store checks that the stream's revision (its next index) equals
/// `expectedRevision` and that the operations' indices run from there without gaps; otherwise it fails the whole
/// commit with `REVISION_CONFLICT` (a lost race: transient) or `OPERATION_GAP`.
public struct StreamAppend: Sendable {
    public var stream: StreamID
    public var expectedRevision: Int
    public var operations: [Operation]

    public init(stream: StreamID, expectedRevision: Int, operations: [Operation]) {
        self.stream = stream
        self.expectedRevision = expectedRevision
        self.operations = operations
    }
}

/// What a successful commit was given: the stored records, with their ordinals, in append order.
public struct CommitReceipt: Sendable {
    public var records: [OperationRecord]

    public init(records: [OperationRecord]) {
        self.records = records
    }
}

/// A snapshot of one stream's state after the operation at `index`.
public struct Keyframe: Sendable, Hashable, Codable {
    public var stream: StreamID
    public var index: Int
    public var state: JSONValue
    public var hash: String

    public init(stream: StreamID, index: Int, state: JSONValue, hash: String) {
        self.stream = stream
        self.index = index
        self.state = state
        self.hash = hash
    }
}

extension ReactorError {
    /// The error a store gives when a stream is not at the expected revision.
    public static func revisionConflict(_ stream: StreamID, expected: Int, actual: Int) -> ReactorError {
        ReactorError(
            .revisionConflict, "stream \(stream) is at revision \(actual), the writer expected \(expected)",
            details: ["stream": stream.description, "expected": String(expected), "actual": String(actual)],
            isTransient: true)
    }
}

extension Commit {
    /// The shared shape of a store's `commit(_:)`: prepares each commit (a commit that cannot be prepared fails
    /// alone), submits the prepared ones together (group commit), and returns every outcome in the given order.
    public static func prepareAndSubmit<Prepared>(
        _ commits: [Commit], storeName: String,
        prepare: (Commit) throws -> Prepared,
        mapError: (any Error) -> ReactorError,
        submit: ([Prepared]) async -> [Result<CommitReceipt, ReactorError>]
    ) async -> [Result<CommitReceipt, ReactorError>] {
        var results: [Result<CommitReceipt, ReactorError>?] = []
        results.reserveCapacity(commits.count)
        var prepared: [Prepared] = []
        prepared.reserveCapacity(commits.count)
        for commit in commits {
            do {
                prepared.append(try prepare(commit))
                results.append(nil)
            } catch {
                results.append(.failure(mapError(error)))
            }
        }
        var written = await submit(prepared).makeIterator()
        return results.map { result in
            result ?? written.next() ?? .failure(ReactorError(.internal, "the \(storeName) store returned no result for a commit"))
        }
    }
}
