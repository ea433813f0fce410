/// A function's configuration, deployed with its module: part of the version (a change of settings is a new
/// version, and a rollback restores the settings with the module).
public struct FunctionSettings: Sendable, Hashable, Codable {
    /// The function's environment variables. A value may be a `vault:<path>` or `env:<NAME>` reference: it is
    /// resolved at deploy (a missing secret fails the deploy) and again when a node loads the version; the store
    /// keeps the reference, never the secret.
    public var environment: [String: String]
    /// Limits that replace the server's defaults (`[functions]` in `Reactor.toml`) for this function.
    public var limits: FunctionLimitSettings
    /// The document events that invoke the function, or nil when only HTTP does.
    public var trigger: FunctionTrigger?
    /// Whether the HTTP route answers callers without a token when auth is on (webhooks). Default false.
    public var isPublic: Bool

    /// Creates settings.
    public init(environment: [String: String] = [:], limits: FunctionLimitSettings = FunctionLimitSettings(),
                trigger: FunctionTrigger? = nil, isPublic: Bool = false) {
        self.environment = environment
        self.limits = limits
        self.trigger = trigger
        self.isPublic = isPublic
    }

    enum CodingKeys: String, CodingKey {
        case environment, limits, trigger
        case isPublic = "public"
    }

    /// Decodes settings; every field may be missing.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        environment = try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:]
        limits = try c.decodeIfPresent(FunctionLimitSettings.self, forKey: .limits) ?? FunctionLimitSettings()
        trigger = try c.decodeIfPresent(FunctionTrigger.self, forKey: .trigger)
        isPublic = try c.decodeIfPresent(Bool.self, forKey: .isPublic) ?? false
    }
}

/// Per-function limits; nil fields take the server's defaults.
public struct FunctionLimitSettings: Sendable, Hashable, Codable {
    /// Instructions per invocation (see ``FunctionLimits/fuel``).
    public var fuel: UInt64?
    /// Linear memory, in bytes.
    public var maxMemoryBytes: Int?
    /// Wall-clock timeout, in milliseconds.
    public var timeoutMilliseconds: Int?
    /// The response (stdout) size, in bytes.
    public var maxResponseBytes: Int?
    /// Invocations of the function running at once on one node; more wait briefly, then answer 429.
    public var maxConcurrent: Int?

    /// Creates limit settings.
    public init(fuel: UInt64? = nil, maxMemoryBytes: Int? = nil, timeoutMilliseconds: Int? = nil,
                maxResponseBytes: Int? = nil, maxConcurrent: Int? = nil) {
        self.fuel = fuel
        self.maxMemoryBytes = maxMemoryBytes
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxResponseBytes = maxResponseBytes
        self.maxConcurrent = maxConcurrent
    }

    /// These settings over `defaults`.
    public func applied(to defaults: FunctionLimits) -> FunctionLimits {
        var limits = defaults
        if let fuel { limits.fuel = fuel }
        if let maxMemoryBytes { limits.maxMemoryBytes = maxMemoryBytes }
        if let timeoutMilliseconds { limits.timeout = .milliseconds(timeoutMilliseconds) }
        if let maxResponseBytes { limits.maxResponseBytes = maxResponseBytes }
        return limits
    }

    /// Throws `INVALID_ARGUMENT` naming the first field out of range.
    public func validate() throws(ReactorError) {
        func check(_ ok: Bool, _ field: String, _ rule: String) throws(ReactorError) {
            guard ok else {
                throw ReactorError(.invalidArgument, "limits.\(field) \(rule)", details: ["argument": "limits.\(field)"])
            }
        }
        try check((fuel ?? 1) > 0, "fuel", "must be positive")
        try check((maxMemoryBytes ?? 65_536) >= 65_536 && (maxMemoryBytes ?? 0) <= 4 << 30, "maxMemoryBytes", "must be between 64 KiB and 4 GiB")
        try check((timeoutMilliseconds ?? 1) > 0 && (timeoutMilliseconds ?? 0) <= 15 * 60_000, "timeoutMilliseconds", "must be between 1 ms and 15 minutes")
        try check((maxResponseBytes ?? 1) > 0 && (maxResponseBytes ?? 0) <= 64 << 20, "maxResponseBytes", "must be between 1 byte and 64 MiB")
        try check((maxConcurrent ?? 1) > 0 && (maxConcurrent ?? 0) <= 10_000, "maxConcurrent", "must be between 1 and 10000")
    }
}
