import ReactorCore

extension ReactorConfiguration {
    /// `[functions]`: functions in a sandbox (issue 15, `docs/functions.md`).
    public struct FunctionsSection: Sendable, Equatable {
        /// `enabled`: whether the server runs functions (`/functions/v1`, `/_admin/functions`, triggers).
        public var enabled: Bool = true
        /// `runtimes`: the runtimes functions may use, the first the default of a deploy that names none; empty means
        /// every runtime this binary was built with. A runtime whose trait was compiled out stops the boot.
        public var runtimes: [String] = []
        /// `default_fuel`: instructions per invocation (0: no fuel limit, the timeout still applies).
        public var defaultFuel: Int = 1_000_000_000
        /// `default_memory_bytes`: linear memory per invocation.
        public var defaultMemoryBytes: Int = 64 << 20
        /// `default_timeout_ms`: wall-clock time per invocation.
        public var defaultTimeoutMilliseconds: Int = 10_000
        /// `default_max_response_bytes`: the most a function may write to stdout.
        public var defaultMaxResponseBytes: Int = 6 << 20
        /// `default_max_concurrent`: invocations of one function at once on one node; more wait, then 429.
        public var defaultMaxConcurrent: Int = 32
        /// `max_wait_ms`: how long an invocation waits for a slot of a busy function before the 429.
        public var maxWaitMilliseconds: Int = 500
        /// `max_module_bytes`: the largest module a deploy accepts.
        public var maxModuleBytes: Int = 32 << 20
        /// `refresh_ms`: how long a node trusts the live version it last read (a promotion elsewhere is served
        /// here within this time).
        public var refreshMilliseconds: Int = 1_000
        /// `log_entries`: invocations kept in memory per function for `reactor functions logs`.
        public var logEntries: Int = 200

        /// The defaults.
        public init() {}
    }

    /// Problems of `[functions]`.
    func functionsProblems(_ add: (String, String) -> Void) {
        let f = functions
        if f.defaultFuel < 0 { add("functions.default_fuel", "must be 0 (no limit) or more, got \(f.defaultFuel)") }
        if f.defaultMemoryBytes < 65_536 || f.defaultMemoryBytes > 4 << 30 {
            add("functions.default_memory_bytes", "must be between 65536 and 4294967296, got \(f.defaultMemoryBytes)")
        }
        if f.defaultTimeoutMilliseconds <= 0 || f.defaultTimeoutMilliseconds > 15 * 60_000 {
            add("functions.default_timeout_ms", "must be between 1 and 900000, got \(f.defaultTimeoutMilliseconds)")
        }
        if f.defaultMaxResponseBytes <= 0 { add("functions.default_max_response_bytes", "must be greater than 0, got \(f.defaultMaxResponseBytes)") }
        if f.defaultMaxConcurrent <= 0 { add("functions.default_max_concurrent", "must be greater than 0, got \(f.defaultMaxConcurrent)") }
        if f.maxWaitMilliseconds < 0 { add("functions.max_wait_ms", "must be 0 or more, got \(f.maxWaitMilliseconds)") }
        if f.maxModuleBytes <= 0 { add("functions.max_module_bytes", "must be greater than 0, got \(f.maxModuleBytes)") }
        if f.refreshMilliseconds < 0 { add("functions.refresh_ms", "must be 0 or more, got \(f.refreshMilliseconds)") }
        if f.logEntries <= 0 { add("functions.log_entries", "must be greater than 0, got \(f.logEntries)") }
        for (index, runtime) in f.runtimes.enumerated() where !Self.knownFunctionRuntimes.contains(runtime) {
            add("functions.runtimes[\(index)]", "'\(runtime)' is not a functions runtime (known: \(Self.knownFunctionRuntimes.joined(separator: ", ")))")
        }
    }

    /// The functions runtimes Reactor has (whether or not this binary was built with them).
    public static let knownFunctionRuntimes = ["wasm"]
}
