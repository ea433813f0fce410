import Foundation
import Logging
import ReactorConfig
import ReactorCore
import ReactorFunctions
import ReactorMemory
import ReactorSQLite
#if Postgres
import ReactorPostgres
#endif
#if WASM
import ReactorWasm
#endif

/// Functions (issue 15): the runtimes named by `[functions]`, the function store on the server's own store, and
/// the ``FunctionService`` over them.
public enum FunctionsFactory {
    /// The runtimes this binary was built with, by name.
    public static var compiledRuntimes: [String] {
        CompiledTraits.wasm ? ["wasm"] : []
    }

    /// The runtimes `[functions]` selects, created; empty when functions are off. A runtime whose trait was
    /// compiled out is `CONFIG_INVALID` naming the trait.
    public static func runtimes(_ section: ReactorConfiguration.FunctionsSection) throws -> [any FunctionRuntime] {
        guard section.enabled else { return [] }
        let names = section.runtimes.isEmpty ? compiledRuntimes : section.runtimes
        return try names.enumerated().map { index, name in
            switch name {
            case "wasm":
                #if WASM
                return WasmFunctionRuntime()
                #else
                throw CompiledTraits.missing("WASM", key: section.runtimes.isEmpty ? "functions.runtimes" : "functions.runtimes[\(index)]", value: name)
                #endif
            default:
                throw ReactorError(.configInvalid, "functions.runtimes[\(index)]: '\(name)' is not a functions runtime",
                                   details: ["key": "functions.runtimes[\(index)]"])
            }
        }
    }

    /// The function tables of `store`: in its SQLite file or PostgreSQL schema, or in memory beside the in-memory
    /// store.
    public static func functionStore(for store: any ReactorStore) -> any FunctionStore {
        if let sqlite = store as? SQLiteStore { return SQLiteFunctionStore(store: sqlite) }
        #if Postgres
        if let postgres = store as? PostgresStore { return PostgresFunctionStore(store: postgres) }
        #endif
        return InMemoryFunctionStore()
    }

    /// The service's configuration from a resolved `[functions]` section.
    public static func configuration(_ section: ReactorConfiguration.FunctionsSection) -> FunctionsConfiguration {
        FunctionsConfiguration(
            defaultLimits: FunctionLimits(
                fuel: section.defaultFuel == 0 ? nil : UInt64(section.defaultFuel), maxMemoryBytes: section.defaultMemoryBytes,
                timeout: .milliseconds(section.defaultTimeoutMilliseconds), maxResponseBytes: section.defaultMaxResponseBytes),
            defaultMaxConcurrent: section.defaultMaxConcurrent, maxWait: .milliseconds(section.maxWaitMilliseconds),
            maxModuleBytes: section.maxModuleBytes, refreshInterval: .milliseconds(section.refreshMilliseconds),
            logEntriesPerFunction: section.logEntries)
    }

    /// The service, or nil when functions are off (`enabled = false`, or a binary without any runtime and no
    /// runtime named).
    public static func make(
        _ resolved: ReactorConfiguration, store: any ReactorStore, blobs: any BlobStore, resolver: SecretResolver, logger: Logger
    ) throws -> FunctionService? {
        let runtimes = try runtimes(resolved.functions)
        guard !runtimes.isEmpty else { return nil }
        return FunctionService(
            store: functionStore(for: store), blobs: blobs, runtimes: runtimes, configuration: configuration(resolved.functions),
            resolveSecret: { value, key in try await resolver.resolve(value, key: key) }, logger: logger)
    }
}
