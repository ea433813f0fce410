import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ReactorConfig
import ReactorCore
import ReactorServer

/// `reactor serve`: the unified server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server (default: http://127.0.0.1:8000, everything under ./.reactor/).",
        discussion: """
            Configuration comes from Reactor.toml (see `reactor init`), REACTOR_<SECTION>__<KEY> environment variables
            and these flags, in increasing precedence. SIGTERM or Ctrl-C stops accepting connections, finishes every
            accepted job, and exits.
            """
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        OpenFilesLimit.raiseToHardLimit()
        try await Output.guarded(json: options.json) {
            // References are resolved first: log.level (like any key) may be one.
            let loaded = try options.load()
            let vault = try ServerBootstrap.openVault(loaded, environment: options.environment)
            let configuration = try await loaded.resolved(environment: options.environment, vault: vault)
            let level = Logger.Level(rawValue: configuration.log.level.rawValue) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "reactor")
            let booted = try await ServerBootstrap.boot(resolved: configuration, vault: vault, environment: options.environment, logger: logger)
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: booted.deps.metrics.registry))
            let dataDir = booted.configuration.server.dataDir
            let json = options.json
            let host = booted.configuration.server.bind.host
            if !json {
                Output.line("Reactor \(ReactorVersion.current): data in \((dataDir as NSString).standardizingPath)/")
                for line in booted.summary { Output.line("  \(line)") }
            }
            // Errors arrive as ReactorError (a bind failure is ADDRESS_UNAVAILABLE naming server.bind).
            try await runServer(booted, logger: logger, json: json, host: host)
            if !json { Output.line("stopped: accepted jobs finished (any still unfinished at the drain deadline failed, each logged)") }
        }
    }

    private func runServer(_ booted: BootedServer, logger: Logger, json: Bool, host: String) async throws {
            try await booted.run(logger: logger) { port in
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                // Written straight to the file descriptor: scripts wait for this line.
                if json {
                    Output.line(JSONValue.object(["event": "listening", "url": .string(url), "port": .number(Double(port))]).canonicalString)
                } else {
                    Output.line("listening on \(url)  (API under /reactor/v1, docs at /openapi.json; Ctrl-C to stop)")
                }
            }
    }
}
