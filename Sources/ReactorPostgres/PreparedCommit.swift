import ReactorCore

/// A ``Commit`` with every column already encoded as the arrays the writer binds (one `unnest` per statement), so
/// that the single writer connection only binds and sends.
///
/// Encoding happens in the caller's task, outside the writer, which keeps write transactions short.
struct PreparedCommit: Sendable {
    /// One stream append as column arrays, in operation order.
    struct Append: Sendable {
        var append: StreamAppend
        var indices: [Int64] = []
        var ids: [String] = []
        var skips: [Int64] = []
        var timestamps: [Int64] = []
        var hashes: [String] = []
        var actionIDs: [String] = []
        var actionTypes: [String] = []
        var actionScopes: [String] = []
        var actionTimestamps: [Int64] = []
        /// Canonical JSON of each `action.input`.
        var inputs: [String] = []
        /// Canonical JSON of each `action.context`; `""` (stored as NULL) when absent.
        var contexts: [String] = []
        /// Each operation's error as a canonical JSON string literal; `""` (stored as NULL) when absent.
        var errors: [String] = []
    }

    /// The commit's keyframes as column arrays, one entry per (stream, index): the last one given wins.
    struct Keyframes: Sendable {
        var documentIDs: [String] = []
        var scopes: [String] = []
        var branches: [String] = []
        var indices: [Int64] = []
        var states: [String] = []
        var hashes: [String] = []
    }

    /// Relationships as column arrays.
    struct Relationships: Sendable {
        var sources: [String] = []
        var targets: [String] = []
        var types: [String] = []

        init(_ relationships: [Relationship]) {
            sources = relationships.map(\.sourceID)
            targets = relationships.map(\.targetID)
            types = relationships.map(\.type)
        }
    }

    /// The streams a commit moves, as column arrays.
    struct StreamMoves: Sendable {
        var documentIDs: [String] = []
        var scopes: [String] = []
        var branches: [String] = []
        var expected: [Int64] = []
        var revisions: [Int64] = []

        var count: Int { documentIDs.count }

        mutating func append(_ a: StreamAppend) {
            documentIDs.append(a.stream.documentID)
            scopes.append(a.stream.scope)
            branches.append(a.stream.branch)
            expected.append(Int64(a.expectedRevision))
            revisions.append(Int64(a.expectedRevision + a.operations.count))
        }
    }

    var commit: Commit
    /// Canonical JSON of the header.
    var headerJSON: String
    /// Canonical JSON of the job fence's consistency token (empty without a fence).
    var fenceTokenJSON: String
    var appends: [Append]
    var keyframes: Keyframes
    var added: Relationships
    var removed: Relationships

    /// Whether the commit can be written by the one-statement fast path: every append has operations, indices run
    /// without gaps, and no stream appears twice. Otherwise (and whenever the fast path finds a mismatch) the writer
    /// takes the step-by-step path, which reports the exact error.
    var fastPathEligible: Bool
    /// Every operation of every append, in commit order, as column arrays (`documentIDs`, `scopes` and `branches`
    /// per operation in ``allStreams``).
    var allOperations: Append
    var allStreams: StreamMoves
    /// Streams at revision 0 that the commit creates, and existing streams it moves.
    var newStreams: StreamMoves
    var movedStreams: StreamMoves
    /// The relationships to insert once removals are taken into account (a relationship added and removed in one
    /// commit ends removed: the fast path's statements all see the same snapshot).
    var netAdded: Relationships

    /// Encodes the columns of `commit`.
    init(_ commit: Commit) throws {
        self.commit = commit
        self.headerJSON = commit.header.jsonValue.canonicalString
        self.fenceTokenJSON = try commit.job.map { try JSONValueCoder.encode($0.token).canonicalString } ?? ""
        self.appends = try commit.appends.map { append in
            var a = Append(append: append)
            for op in append.operations {
                a.indices.append(Int64(op.index))
                a.ids.append(op.id)
                a.skips.append(Int64(op.skip))
                a.timestamps.append(op.timestamp)
                a.hashes.append(op.hash)
                a.actionIDs.append(op.action.id)
                a.actionTypes.append(op.action.type)
                a.actionScopes.append(op.action.scope)
                a.actionTimestamps.append(op.action.timestamp)
                a.inputs.append(op.action.input.canonicalString)
                a.contexts.append(try op.action.context.map { try JSONValueCoder.encode($0).canonicalString } ?? "")
                a.errors.append(op.error.map { JSONValue.string($0).canonicalString } ?? "")
            }
            return a
        }
        var latest: [KeyframeKey: Int] = [:]
        for (i, keyframe) in commit.keyframes.enumerated() { latest[KeyframeKey(stream: keyframe.stream, index: keyframe.index)] = i }
        var k = Keyframes()
        for (i, keyframe) in commit.keyframes.enumerated() where latest[KeyframeKey(stream: keyframe.stream, index: keyframe.index)] == i {
            k.documentIDs.append(keyframe.stream.documentID)
            k.scopes.append(keyframe.stream.scope)
            k.branches.append(keyframe.stream.branch)
            k.indices.append(Int64(keyframe.index))
            k.states.append(keyframe.state.canonicalString)
            k.hashes.append(keyframe.hash)
        }
        self.keyframes = k
        self.added = Relationships(commit.relationshipsAdded)
        self.removed = Relationships(commit.relationshipsRemoved)

        let removedSet = Set(commit.relationshipsRemoved)
        self.netAdded = Relationships(commit.relationshipsAdded.filter { !removedSet.contains($0) })
        var all = Append(append: StreamAppend(stream: StreamID(documentID: "", scope: ""), expectedRevision: 0, operations: []))
        var allStreams = StreamMoves(), newStreams = StreamMoves(), movedStreams = StreamMoves()
        var seen = Set<StreamID>()
        var eligible = true
        for a in appends {
            let append = a.append
            if append.operations.isEmpty || !seen.insert(append.stream).inserted { eligible = false }
            for (offset, op) in append.operations.enumerated() where op.index != append.expectedRevision + offset { eligible = false }
            if append.expectedRevision == 0 { newStreams.append(append) } else { movedStreams.append(append) }
            for _ in append.operations { allStreams.append(append) }
            all.indices += a.indices
            all.ids += a.ids
            all.skips += a.skips
            all.timestamps += a.timestamps
            all.hashes += a.hashes
            all.actionIDs += a.actionIDs
            all.actionTypes += a.actionTypes
            all.actionScopes += a.actionScopes
            all.actionTimestamps += a.actionTimestamps
            all.inputs += a.inputs
            all.contexts += a.contexts
            all.errors += a.errors
        }
        self.fastPathEligible = eligible
        self.allOperations = all
        self.allStreams = allStreams
        self.newStreams = newStreams
        self.movedStreams = movedStreams
    }

    private struct KeyframeKey: Hashable {
        var stream: StreamID
        var index: Int
    }
}
