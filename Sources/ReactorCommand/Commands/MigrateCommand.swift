import ArgumentParser
import Foundation
import Logging
import ReactorConfig
import ReactorCore
import ReactorServer
import Synchronization

/// `reactor migrate`: brings the configured store's schema up to date.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the store's schema (safe to run any number of times, and from several nodes)."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        try await Output.guarded(json: options.json) {
            let progress = StepProgress(enabled: !options.json, total: 3)
            progress.begin("reading configuration")
            let configuration = try options.load()
            let vault = try ServerBootstrap.openVault(configuration, environment: options.environment)
            let resolved = try await configuration.resolved(environment: options.environment, vault: vault)
            progress.done()
            progress.begin("opening the \(resolved.store.backend.rawValue) store")
            let (store, backends, description) = try await ServerBootstrap.openStore(resolved, logger: Logger(label: "reactor.migrate"))
            progress.done(description)
            progress.begin("migrating")
            let applied = try await BackendServices.withRunning(backends) {
                do {
                    let pending = try await store.pendingMigrations()
                    try await store.migrate()
                    try await store.close()
                    return pending
                } catch {
                    try? await store.close()
                    throw error
                }
            }
            progress.done(applied.isEmpty ? "schema was already up to date" : "applied \(applied.joined(separator: ", "))")
            if options.json {
                Output.json(.object(["migrated": true, "store": .string(description), "applied": .array(applied.map { .string($0) })]))
            }
        }
    }
}

/// Numbered steps with their duration on standard error: `[2/3] opening the sqlite store … done (4 ms)`.
final class StepProgress: Sendable {
    let enabled: Bool
    let total: Int
    private let state = Mutex<(step: Int, started: ContinuousClock.Instant)>((0, .now))

    init(enabled: Bool, total: Int) {
        self.enabled = enabled
        self.total = total
    }

    func begin(_ text: String) {
        let step = state.withLock { s in
            s.step += 1
            s.started = .now
            return s.step
        }
        guard enabled else { return }
        FileHandle.standardError.write(Data("[\(step)/\(total)] \(text) … ".utf8))
    }

    func done(_ detail: String? = nil) {
        let elapsed = ContinuousClock.now - state.withLock { $0.started }
        guard enabled else { return }
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let suffix = detail.map { ": \($0)" } ?? ""
        FileHandle.standardError.write(Data("done (\(ms) ms)\(suffix)\n".utf8))
    }
}
