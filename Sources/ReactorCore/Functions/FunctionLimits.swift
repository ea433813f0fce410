/// The limits of one invocation. Each one, when hit, ends that invocation only, with its own error (see
/// `docs/functions.md`): the function's other invocations and the server go on.
public struct FunctionLimits: Sendable, Hashable {
    /// The most instructions the invocation may execute (one unit of fuel is about one WebAssembly operator; bulk
    /// memory operations also cost one unit per 64 bytes). `nil`: no fuel limit, the timeout still applies.
    /// Exhausted: ``ReactorError/Code/functionFuelExhausted``.
    public var fuel: UInt64?
    /// The most linear memory the instance may have, in bytes (its initial memory included).
    /// Exceeded: ``ReactorError/Code/functionMemoryLimit``.
    public var maxMemoryBytes: Int
    /// The wall-clock time from the call of `invoke` to the function's end (time waiting for a free worker
    /// included). Passed: ``ReactorError/Code/functionTimeout``.
    public var timeout: Duration
    /// The most bytes the function may write to stdout (the response JSON).
    /// Exceeded: ``ReactorError/Code/functionResponseTooLarge``.
    public var maxResponseBytes: Int
    /// The most bytes of stderr kept as logs; what comes after is dropped and the logs end with a line saying so.
    /// Never an error.
    public var maxLogBytes: Int

    /// Creates limits; every argument defaults to the value of ``default``.
    public init(
        fuel: UInt64? = 1_000_000_000, maxMemoryBytes: Int = 64 << 20, timeout: Duration = .seconds(10),
        maxResponseBytes: Int = 6 << 20, maxLogBytes: Int = 64 << 10
    ) {
        self.fuel = fuel
        self.maxMemoryBytes = maxMemoryBytes
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.maxLogBytes = maxLogBytes
    }

    /// One billion units of fuel, 64 MiB of memory, 10 seconds, 6 MiB of response, 64 KiB of logs.
    public static let `default` = FunctionLimits()

    /// The timeout in whole milliseconds (as errors report it).
    public var timeoutMilliseconds: Int64 {
        let (seconds, attoseconds) = timeout.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
