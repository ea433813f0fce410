import ServiceLifecycle

/// Runs backend services (a database pool) around a short piece of work, for commands that are not the server.
enum BackendServices {
    static func withRunning<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        guard !services.isEmpty else { return try await body() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            do {
                let result = try await body()
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
