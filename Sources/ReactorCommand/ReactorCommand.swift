import ArgumentParser

/// `reactor`: the Reactor command-line tool.
@main
struct ReactorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reactor",
        abstract: "Reactor: event-sourced documents on an embedded SQLite file (and more to come).",
        version: ReactorVersion.current,
        subcommands: [DocCommand.self, DemoCommand.self, BenchCommand.self, CrashWorkerCommand.self]
    )
}

/// The tool's version.
enum ReactorVersion {
    static let current = "0.1.0"
}
