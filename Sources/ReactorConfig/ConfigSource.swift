/// Where a configuration value came from, for error messages.
enum ConfigSource: Sendable, Equatable, CustomStringConvertible {
    /// The built-in default.
    case defaultValue
    /// A TOML file, with the line when it is known.
    case file(String, line: Int?)
    /// An environment variable `REACTOR_<SECTION>__<KEY>`.
    case environment(String)
    /// A command-line override of a dotted key.
    case override(String)

    var description: String {
        switch self {
        case .defaultValue: "default value"
        case .file(let path, let line?): "\(path):\(line)"
        case .file(let path, nil): path
        case .environment(let name): "environment variable \(name)"
        case .override(let key): "command-line override \(key)"
        }
    }
}

/// The source of every value that did not come from the defaults. Always equal to another (it is bookkeeping, not
/// configuration), so configurations compare by their values only.
struct ConfigOrigins: Sendable, Equatable {
    private var sources: [String: ConfigSource] = [:]
    /// The reference each resolved key was read from (`env:NAME`, `vault:path`), for messages.
    var resolvedFrom: [String: String] = [:]
    /// For each entry of `sync.remotes`, the index of its `[[sync.remotes]]` table in the file (tables with problems
    /// have no entry), so that messages name the table.
    var syncRemoteTables: [Int] = []

    subscript(key: String) -> ConfigSource {
        get { sources[key] ?? .defaultValue }
        set { sources[key] = newValue }
    }

    static func == (lhs: ConfigOrigins, rhs: ConfigOrigins) -> Bool { true }
}
