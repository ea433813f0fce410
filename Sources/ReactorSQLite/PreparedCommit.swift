import ReactorCore

/// A ``Commit`` with its operations' and keyframes' JSON columns already encoded, so that the writer connection
/// mostly binds and steps.
///
/// Encoding happens in the caller's task, outside the single writer, which keeps write transactions short.
struct PreparedCommit: Sendable {
    /// One stream append with the JSON text of each operation's input and context.
    struct Append: Sendable {
        var append: StreamAppend
        /// Canonical JSON of each operation's `action.input`, in operation order.
        var inputs: [String]
        /// Canonical JSON of each operation's `action.context`, nil when absent.
        var contexts: [String?]
    }

    var commit: Commit
    /// Canonical JSON of the header, encoded by the writer only when it writes the header (most commits leave the
    /// stored header as it is: see ``CommitWriter``).
    var headerJSON: String { commit.header.jsonValue.canonicalString }
    var appends: [Append]
    /// Canonical JSON of each keyframe's state, in keyframe order.
    var keyframeStates: [String]

    /// Encodes the JSON columns of `commit`.
    init(_ commit: Commit) throws {
        self.commit = commit
        self.appends = try commit.appends.map { append in
            Append(
                append: append,
                inputs: append.operations.map { $0.action.input.canonicalString },
                contexts: try append.operations.map { op in
                    try op.action.context.map { try JSONValueCoder.encode($0).canonicalString }
                })
        }
        self.keyframeStates = commit.keyframes.map { $0.state.canonicalString }
    }
}
