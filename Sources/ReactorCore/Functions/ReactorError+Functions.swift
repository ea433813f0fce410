extension ReactorError.Code {
    /// A function module cannot be used: not a WebAssembly binary or WAT text, invalid, or it does not follow the
    /// invocation contract (it imports something other than WASI preview 1, or exports no `_start` or no `memory`).
    /// HTTP 422; the message says what is wrong.
    public static let functionInvalidModule = ReactorError.Code("FUNCTION_INVALID_MODULE")
    /// The invocation executed more instructions than its fuel limit (`details.limit` = `fuel`,
    /// `details.maximum` = the budget). HTTP 502.
    public static let functionFuelExhausted = ReactorError.Code("FUNCTION_FUEL_EXHAUSTED")
    /// The invocation asked for more linear memory than its memory limit (`details.limit` = `memory`,
    /// `details.maximum` = the limit in bytes, `details.requested` = the size asked for). HTTP 502.
    public static let functionMemoryLimit = ReactorError.Code("FUNCTION_MEMORY_LIMIT")
    /// The invocation did not finish within its wall-clock timeout (`details.limit` = `timeout`,
    /// `details.maximum` = the timeout in milliseconds). HTTP 504.
    public static let functionTimeout = ReactorError.Code("FUNCTION_TIMEOUT")
    /// The function trapped (`unreachable`, an out-of-bounds access, a division by zero, a stack overflow, …);
    /// `details.trap` names the trap. HTTP 502.
    public static let functionTrapped = ReactorError.Code("FUNCTION_TRAPPED")
    /// The function exited with a non-zero status (`proc_exit`, `exit()` in C); `details.exitCode`. HTTP 502.
    public static let functionExited = ReactorError.Code("FUNCTION_EXITED")
    /// The function wrote more to stdout than its response limit (`details.limit` = `responseBytes`,
    /// `details.maximum` = the limit in bytes). HTTP 502.
    public static let functionResponseTooLarge = ReactorError.Code("FUNCTION_RESPONSE_TOO_LARGE")
    /// What the function wrote to stdout is not a response (not a JSON object, no valid `status`, bad `headers`,
    /// bad `bodyBase64`, …); the message says what. HTTP 502.
    public static let functionBadResponse = ReactorError.Code("FUNCTION_BAD_RESPONSE")
    /// The function already runs as many invocations as it may (`details.maxConcurrent`) and none finished within
    /// the wait; retry after `details.retryAfterSeconds`. HTTP 429 with `Retry-After`.
    public static let functionBusy = ReactorError.Code("FUNCTION_BUSY")
    /// The invocation was interrupted because its caller went away (the calling task was cancelled). HTTP 503.
    public static let functionCancelled = ReactorError.Code("FUNCTION_CANCELLED")
    /// No function has this name (`details.function`). HTTP 404.
    public static let functionNotFound = ReactorError.Code("FUNCTION_NOT_FOUND")
    /// The function has no version with this id (`details.function`, `details.version`). HTTP 404.
    public static let functionVersionNotFound = ReactorError.Code("FUNCTION_VERSION_NOT_FOUND")
    /// The function has versions but none is live (deployed with `promote=false` and never promoted). HTTP 409.
    public static let functionNotLive = ReactorError.Code("FUNCTION_NOT_LIVE")
    /// A rollback found no earlier live version to go back to. HTTP 409.
    public static let functionNoPreviousVersion = ReactorError.Code("FUNCTION_NO_PREVIOUS_VERSION")
    /// The runtime a deploy names is not enabled on this server (`details.runtime`, `details.enabled`), or the
    /// version's runtime is not (a node configured differently). HTTP 422.
    public static let functionRuntimeUnavailable = ReactorError.Code("FUNCTION_RUNTIME_UNAVAILABLE")
    /// Functions are off on this server (`[functions] runtimes = []`). HTTP 404.
    public static let functionsDisabled = ReactorError.Code("FUNCTIONS_DISABLED")
}

extension ReactorError {
    /// The error of an invocation stopped by one of its ``FunctionLimits``: `code` with `details.limit` naming the
    /// limit and `details.maximum` its value.
    public static func functionLimit(
        _ code: ReactorError.Code, limit: String, maximum: String, _ message: String, details: [String: String] = [:]
    ) -> ReactorError {
        var all = details
        all["limit"] = limit
        all["maximum"] = maximum
        return ReactorError(code, message, details: all)
    }
}

extension ReactorError {
    /// `FUNCTION_NOT_FOUND` for `name`.
    public static func functionNotFound(_ name: String) -> ReactorError {
        ReactorError(.functionNotFound, "no function named '\(name)'", details: ["function": name])
    }

    /// `FUNCTION_VERSION_NOT_FOUND` for `version` of `name`.
    public static func functionVersionNotFound(_ name: String, version: String) -> ReactorError {
        ReactorError(.functionVersionNotFound, "function '\(name)' has no version '\(version)'",
                     details: ["function": name, "version": version])
    }
}
