/// How one invocation ended: the response or the error that ended it, and what it logged until then.
///
/// An invocation that failed still has its logs (a function often says why on stderr before it traps), which is why
/// ``FunctionRuntime/invoke(_:request:environment:limits:)`` returns this instead of throwing.
public struct FunctionInvocation: Sendable {
    /// The response, or the typed error that ended the invocation (`FUNCTION_*` codes).
    public var result: Result<FunctionResponse, ReactorError>
    /// The lines the function wrote to stderr, without their line ends (a last line without one included).
    public var logs: [String]
    /// The fuel the invocation used, when the runtime meters it.
    public var fuelConsumed: UInt64?
    /// The wall-clock time from the call of `invoke` to its end.
    public var duration: Duration

    /// Creates an outcome.
    public init(result: Result<FunctionResponse, ReactorError>, logs: [String] = [], fuelConsumed: UInt64? = nil, duration: Duration = .zero) {
        self.result = result
        self.logs = logs
        self.fuelConsumed = fuelConsumed
        self.duration = duration
    }

    /// The response, or throws the invocation's error.
    public func response() throws(ReactorError) -> FunctionResponse {
        try result.get()
    }

    /// The invocation's error, or nil when it answered.
    public var error: ReactorError? {
        if case .failure(let error) = result { return error }
        return nil
    }
}
