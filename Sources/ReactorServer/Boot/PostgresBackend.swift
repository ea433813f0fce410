import Logging
import ReactorConfig
import ReactorCore
import ServiceLifecycle

/// Opens the PostgreSQL store named by `store.url`.
enum PostgresBackend {
    static func open(_ resolved: ReactorConfiguration, logger: Logger) async throws -> (any ReactorStore, [any Service], String) {
        throw ReactorError(.unsupported, "store.backend = \"postgres\" is not wired yet")
    }
}
