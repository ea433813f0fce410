import ReactorCore

/// What a deploy uploads: a module and its settings.
public struct FunctionDeployment: Sendable {
    /// The function's name (created by its first deploy).
    public var name: String
    /// The module: a binary, or text the runtime compiles.
    public var source: FunctionSource
    /// The runtime that runs it; nil: the server's first runtime.
    public var runtime: String?
    /// The settings deployed with it.
    public var settings: FunctionSettings
    /// Whether the new version becomes live at once (default true).
    public var promote: Bool
    /// Who deploys (a user id), when known.
    public var deployedBy: String?

    /// Creates a deployment.
    public init(name: String, source: FunctionSource, runtime: String? = nil, settings: FunctionSettings = FunctionSettings(),
                promote: Bool = true, deployedBy: String? = nil) {
        self.name = name
        self.source = source
        self.runtime = runtime
        self.settings = settings
        self.promote = promote
        self.deployedBy = deployedBy
    }
}

/// What a deploy did.
public struct FunctionDeployResult: Sendable {
    /// The version (new, or the existing one with the same content).
    public var version: FunctionVersion
    /// False when a version with the same content existed (nothing new was stored).
    public var created: Bool
    /// The function's record after the deploy.
    public var record: FunctionRecord
}

/// A function as listed: its record and its live version.
public struct FunctionSummary: Sendable {
    /// The record.
    public var record: FunctionRecord
    /// The live version, when one is.
    public var live: FunctionVersion?
}
