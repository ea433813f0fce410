import ReactorCore

/// A configuration value that is one of a fixed set of words.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Sendable, Equatable where RawValue == String {}

extension ConfigChoice {
    /// The accepted words, quoted, for messages: `"sqlite", "memory", "postgres"`.
    static var choiceList: String { allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }
}

/// `store.backend`.
public enum StoreBackend: String, ConfigChoice {
    /// One SQLite file (the default).
    case sqlite
    /// In memory: nothing survives a restart.
    case memory
    /// PostgreSQL at `store.url`.
    case postgres
}

/// `store.durability`.
public enum Durability: String, ConfigChoice {
    /// Durable across process crashes (SQLite `synchronous = NORMAL` in WAL mode).
    case normal
    /// Durable across power loss: fsync on every commit.
    case full
}

/// `store.migrate`.
public enum MigrateMode: String, ConfigChoice {
    /// Migrate the store at boot.
    case auto
    /// Never migrate at boot; `reactor migrate` does it, and the server refuses an outdated schema.
    case manual
}

/// `vault.backend`.
public enum VaultBackend: String, ConfigChoice {
    /// The embedded AES-256-GCM file vault.
    case file
    /// An OpenBao (or HashiCorp Vault) server's KV version 2 engine (`vault.address`, `vault.token` …); needs the
    /// `OpenBao` package trait.
    case openbao
    /// No vault: `vault:` references are errors.
    case none
}

/// `signing.mode`.
extension SigningMode: ConfigChoice {}

/// `log.level`. The raw values are those of swift-log's `Logger.Level`
/// (`Logger.Level(rawValue: level.rawValue)`).
public enum LogLevel: String, ConfigChoice {
    /// Everything.
    case trace
    /// Debugging detail.
    case debug
    /// Normal operation (the default).
    case info
    /// Noteworthy conditions.
    case notice
    /// Problems that do not stop the work.
    case warning
    /// Failures.
    case error
    /// Failures that stop the server.
    case critical
}
