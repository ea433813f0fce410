import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite

/// Options shared by commands that open the local database.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file.")
    var db: String = ".reactor/reactor.sqlite"

    @Flag(name: .long, help: "Print JSON instead of text (for scripts).")
    var json = false

    /// Opens the store, runs a reactor with the built-in models while `body` runs, and shuts it down cleanly.
    func withClient<T: Sendable>(_ body: @Sendable (ReactorClient) async throws -> T) async throws -> T {
        let store = try SQLiteStore(path: db)
        let builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
        do {
            let result = try await builder.withReactor { module in
                try await body(ReactorClient(reactor: module.reactor))
            }
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}
