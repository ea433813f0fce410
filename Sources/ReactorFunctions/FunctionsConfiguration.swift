import ReactorCore

/// How a ``FunctionService`` runs functions: the defaults every function starts from (`[functions]` in
/// `Reactor.toml`) and where modules are kept.
public struct FunctionsConfiguration: Sendable {
    /// The limits of a function that sets none of its own.
    public var defaultLimits: FunctionLimits
    /// Invocations of one function running at once on one node, unless the function sets its own.
    public var defaultMaxConcurrent: Int
    /// How long an invocation waits for a slot of a busy function before it is answered 429.
    public var maxWait: Duration
    /// The largest module a deploy accepts, in bytes.
    public var maxModuleBytes: Int
    /// How long a node trusts the live version it last read from the store: a promotion on another node is served
    /// here within this time (at once on the node that promoted).
    public var refreshInterval: Duration
    /// The invocations kept in memory per function for `logs`.
    public var logEntriesPerFunction: Int
    /// The blob store bucket that keeps modules (`<function>/<sha256 hex>.wasm`).
    public var bucket: String

    /// Creates a configuration; every argument has the documented default.
    public init(defaultLimits: FunctionLimits = .default, defaultMaxConcurrent: Int = 32, maxWait: Duration = .milliseconds(500),
                maxModuleBytes: Int = 32 << 20, refreshInterval: Duration = .seconds(1), logEntriesPerFunction: Int = 200,
                bucket: String = "reactor-functions") {
        self.defaultLimits = defaultLimits
        self.defaultMaxConcurrent = defaultMaxConcurrent
        self.maxWait = maxWait
        self.maxModuleBytes = maxModuleBytes
        self.refreshInterval = refreshInterval
        self.logEntriesPerFunction = logEntriesPerFunction
        self.bucket = bucket
    }
}
