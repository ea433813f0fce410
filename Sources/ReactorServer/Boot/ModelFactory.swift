import Foundation
import ReactorConfig
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorSQLite
#if Postgres
import ReactorPostgres
#endif
#if WASM
import ReactorWasm
#endif

/// Document models as WASM modules (issue 15): the catalog of models registered at run time, on the server's own store
/// (records) and blob store (modules), and the `[[models.modules]]` of `Reactor.toml` registered at boot.
public enum ModelFactory {
    /// The model records of `store`: in its SQLite file or PostgreSQL schema, or in memory beside the in-memory store.
    public static func recordStore(for store: any ReactorStore) -> any ModelRecordStore {
        if let sqlite = store as? SQLiteStore { return SQLiteModelRecordStore(store: sqlite) }
        #if Postgres
        if let postgres = store as? PostgresStore { return PostgresModelRecordStore(store: postgres) }
        #endif
        return InMemoryModelRecordStore()
    }

    /// The catalog (also the reactor's model loader), or nil when the `WASM` trait is compiled out.
    public static func catalog(
        _ resolved: ReactorConfiguration, store: any ReactorStore, blobs: any BlobStore, builtInTypes: Set<String>
    ) -> (any ModelCatalog)? {
        #if WASM
        return WasmModelCatalog(
            records: recordStore(for: store), blobs: blobs, builtInTypes: builtInTypes,
            configuration: WasmModelCatalog.Configuration(
                defaultFuel: UInt64(resolved.models.fuelPerAction), maxMemoryBytes: resolved.models.maxMemoryBytes,
                maxModuleBytes: resolved.models.maxModuleBytes))
        #else
        return nil
        #endif
    }

    /// Registers every `[[models.modules]]` entry (idempotent: an entry registered already is left as it is) and hands
    /// each model to `reactor`; returns a line per model for the log. Runs once the store is migrated.
    public static func registerConfigured(
        _ resolved: ReactorConfiguration, catalog: (any ModelCatalog)?, reactor: Reactor
    ) async throws -> [String] {
        guard !resolved.models.modules.isEmpty else { return [] }
        guard let catalog else {
            throw ReactorError(
                .configInvalid, "models.modules: this server was built without the WASM trait, so it cannot load WASM models",
                details: ["key": "models.modules"])
        }
        var lines: [String] = []
        for (index, entry) in resolved.models.modules.enumerated() {
            let key = "models.modules[\(index)]"
            let module: [UInt8]
            do {
                module = Array(try Data(contentsOf: URL(fileURLWithPath: entry.path)))
            } catch {
                throw ReactorError(.configInvalid, "\(key).path: cannot read \(entry.path): \(error.localizedDescription)",
                                   details: ["key": "\(key).path"])
            }
            let registration = ModelRegistration(
                documentType: entry.type, version: entry.version, module: module, scopes: entry.scopes,
                initialState: entry.initialState, fuelPerAction: entry.fuel.map { UInt64($0) })
            do {
                let (model, record, created) = try await catalog.register(registration)
                reactor.models.register(model)
                lines.append("\(record.documentType) v\(record.version) \(record.digest)\(created ? " (registered)" : "")")
            } catch var error as ReactorError {
                error.message = "\(key): \(error.message)"
                error.details["key"] = key
                throw error
            }
        }
        return lines
    }
}
