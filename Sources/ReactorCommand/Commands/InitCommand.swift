import ArgumentParser
import Foundation
import ReactorConfig
import ReactorCore

/// `reactor init`: writes a commented starter `Reactor.toml`.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter Reactor.toml with every key and its default."
    )

    @Option(name: .long, help: "Where to write the file.")
    var path: String = ConfigLoader.defaultFileName

    @Flag(name: .long, help: "Overwrite an existing file.")
    var force = false

    @Flag(name: .long, help: "Print JSON instead of text (for scripts).")
    var json = false

    func run() async throws {
        try await Output.guarded(json: json) {
            if FileManager.default.fileExists(atPath: path), !force {
                throw ReactorError(.invalidArgument, "\(path) already exists (use --force to overwrite it)", details: ["path": path])
            }
            do {
                try Data(ReactorConfiguration.starterFile.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ReactorError(.invalidArgument, "cannot write \(path): \(error.localizedDescription)", details: ["path": path])
            }
            if json {
                Output.json(.object(["written": .string(path)]))
            } else {
                print("wrote \(path): every key with its default. Edit it, then run `reactor serve`.")
            }
        }
    }
}
