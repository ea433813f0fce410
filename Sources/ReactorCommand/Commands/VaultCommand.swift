import ArgumentParser
import Foundation
import ReactorConfig
import ReactorCore
import ReactorServer
import ReactorVault

/// `reactor vault put|get|rm|ls|keygen`: the embedded vault named by `[vault]`.
struct VaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Read and write secrets in the embedded vault (the file named by [vault]).",
        subcommands: [Put.self, Get.self, Remove.self, List.self, KeyGen.self]
    )

    /// Opens the configured vault or fails with a message saying why.
    static func open(_ options: ConfigOptions) throws -> any Vault {
        let configuration = try options.load()
        guard let vault = try ServerBootstrap.openVault(configuration, environment: options.environment) else {
            throw ReactorError(.unsupported, "the vault is disabled ([vault] backend = \"none\")")
        }
        return vault
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a secret (the value as an argument, or --stdin).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Secret path, e.g. db/password.") var path: String
        @Argument(help: "The value (omit with --stdin).") var value: String?
        @Flag(name: .long, help: "Read the value from standard input (a trailing newline is removed).") var stdin = false

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let secret: String
                if stdin {
                    var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    if text.hasSuffix("\n") { text.removeLast() }
                    secret = text
                } else if let value {
                    secret = value
                } else {
                    throw ReactorError(.invalidArgument, "give the value as an argument or use --stdin")
                }
                try await VaultCommand.open(options).put(path, value: secret)
                if options.json { Output.json(.object(["path": .string(path)])) } else { print("stored \(path)") }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a secret.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Secret path.") var path: String

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let value = try await VaultCommand.open(options).require(path)
                if options.json { Output.json(.object(["path": .string(path), "value": .string(value)])) } else { print(value) }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a secret.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Secret path.") var path: String

        func run() async throws {
            try await Output.guarded(json: options.json) {
                guard try await VaultCommand.open(options).delete(path) else {
                    throw ReactorError(.secretNotFound, "no secret at '\(path)'", details: ["path": path])
                }
                if options.json { Output.json(.object(["deleted": .string(path)])) } else { print("deleted \(path)") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List secret paths.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Only paths starting with this.") var prefix: String = ""

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let paths = try await VaultCommand.open(options).list(prefix: prefix)
                if options.json { Output.json(.object(["paths": .array(paths.map { .string($0) })])) } else { paths.forEach { print($0) } }
            }
        }
    }

    struct KeyGen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen", abstract: "Print a new random master key (hex) for [vault] key = \"env:…\".")
        @Flag(name: .long, help: "Print {\"key\": …} as JSON.") var json = false

        func run() async throws {
            let key = VaultKey.generate().hex
            if json { Output.json(.object(["key": .string(key)])) } else { print(key) }
        }
    }
}
