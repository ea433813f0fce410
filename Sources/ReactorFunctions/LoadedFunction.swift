import ReactorCore

/// A version ready to invoke on this node: compiled, its environment resolved, its limits applied.
struct LoadedFunction: Sendable {
    var version: FunctionVersion
    var compiled: CompiledFunction
    var runtime: any FunctionRuntime
    var environment: [String: String]
    var limits: FunctionLimits
    var maxConcurrent: Int
}
