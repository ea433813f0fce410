import ArgumentParser
import Foundation
import ReactorConfig
import ReactorCore

/// Options of every command that reads `Reactor.toml`: the file, and the overrides that beat it and the environment.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: ./Reactor.toml when it exists).")
    var config: String?

    @Option(name: .long, help: "Listen address host:port (overrides server.bind).")
    var bind: String?

    @Option(name: .customLong("data-dir"), help: "Where the database, vault and blobs live (overrides server.data_dir).")
    var dataDir: String?

    @Flag(name: .long, help: "Print JSON instead of text (for scripts).")
    var json = false

    /// The process environment.
    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The configuration: defaults < file < `REACTOR_*` environment < these flags. Not yet resolved.
    func load() throws -> ReactorConfiguration {
        var overrides: [String: String] = [:]
        if let bind { overrides["server.bind"] = bind }
        if let dataDir { overrides["server.data_dir"] = dataDir }
        return try ConfigLoader.load(file: config, environment: environment, overrides: overrides)
    }
}
