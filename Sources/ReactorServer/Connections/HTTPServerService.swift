import Logging
import ServiceLifecycle

/// The HTTP application as a service with a shutdown deadline: on a graceful shutdown the application stops
/// accepting connections and closes idle ones, lets requests in flight finish, and once `limits.shutdownTimeout`
/// has passed closes every connection still open and cancels what still runs, so the shutdown ends in bounded time.
struct HTTPServerService<Application: Service>: Service {
    let application: Application
    let registry: ConnectionRegistry
    let limits: ConnectionLimits
    let logger: Logger

    func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await application.run()
                return true
            }
            group.addTask {
                try await gracefulShutdown()
                try await Task.sleep(for: limits.shutdownTimeout)
                let closed = registry.closeAll()
                logger.notice("shutdown deadline passed: closed the remaining connections",
                              metadata: ["connections": "\(closed)", "shutdown_timeout": "\(limits.shutdownTimeout)"])
                return false
            }
            // The application's end (or its error) ends the deadline; the deadline's end cancels the application.
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
