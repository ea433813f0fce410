import ArgumentParser
import ReactorServer

/// `reactor`: the Reactor command-line tool.
@main
struct ReactorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reactor",
        abstract: "Reactor: event-sourced documents, one server, one CLI.",
        discussion: """
            Exit codes: 0 success, 1 failure, 3 not found, 4 invalid input, 5 conflict, 6 unauthenticated,
            64 usage, 69 a backend is unavailable, 78 invalid configuration.
            """,
        version: ReactorVersion.current,
        subcommands: [
            ServeCommand.self, InitCommand.self, MigrateCommand.self, DoctorCommand.self, TokenCommand.self,
            VaultCommand.self, DocCommand.self, DemoCommand.self, SyncCommand.self, BlobCommand.self,
            // Identity (issue 14).
            UserCommand.self, APIKeyCommand.self, AuthCommand.self,
            // Functions (issue 15).
            FunctionsCommand.self,
            // Document models as WASM modules (issue 15).
            ModelsCommand.self,
            // AI gateway (issue 16).
            AICommand.self,
        ]
    )
}
