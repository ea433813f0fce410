import ReactorEngine
import ServiceLifecycle

/// Runs the HTTP application and starts the reactor's shutdown drain clock (``Reactor/startShutdownClock()``) the
/// moment the group's graceful shutdown reaches it — the first service the group stops, right at SIGTERM — so that
/// `reactor.shutdown_drain_seconds` counts from the signal, not from when the HTTP server has finished: the jobs go on
/// running while the HTTP server stops, and whatever is not finished when the time is up fails with
/// `SHUTDOWN_DEADLINE` even if the HTTP server is still closing connections.
struct ShutdownClockService: Service {
    let service: any Service
    let reactor: Reactor

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await service.run()
        } onGracefulShutdown: {
            reactor.startShutdownClock()
        }
    }
}
