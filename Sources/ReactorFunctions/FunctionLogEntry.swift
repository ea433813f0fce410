import Foundation

/// One invocation as `logs` shows it: what the function wrote to stderr and how the invocation ended.
public struct FunctionLogEntry: Sendable, Hashable, Codable {
    /// Increases by one per entry on this node (the SSE event id of `logs --follow`).
    public var sequence: Int64
    /// The function.
    public var function: String
    /// The version that ran.
    public var version: String
    /// What invoked it: `http` or `operation` (a document-event trigger).
    public var trigger: String
    /// When the invocation ended.
    public var at: Date
    /// How long it took, in microseconds.
    public var durationMicroseconds: Int64
    /// The HTTP status it answered, when it answered.
    public var status: Int?
    /// The error code that ended it (`FUNCTION_TRAPPED` …), when it failed.
    public var error: String?
    /// The error's message, when it failed.
    public var message: String?
    /// The stderr lines.
    public var lines: [String]
    /// The fuel it used, when metered.
    public var fuel: UInt64?

    /// Creates an entry.
    public init(sequence: Int64 = 0, function: String, version: String, trigger: String, at: Date, durationMicroseconds: Int64,
                status: Int? = nil, error: String? = nil, message: String? = nil, lines: [String] = [], fuel: UInt64? = nil) {
        self.sequence = sequence
        self.function = function
        self.version = version
        self.trigger = trigger
        self.at = at
        self.durationMicroseconds = durationMicroseconds
        self.status = status
        self.error = error
        self.message = message
        self.lines = lines
        self.fuel = fuel
    }
}
