import Logging
import ReactorCore

/// Runs every registered ``ReadModel`` on a job's operations before the job is `READ_READY`.
public struct ReadModelCoordinator: Sendable {
    public let readModels: [any ReadModel]
    let logger: Logger

    public init(readModels: [any ReadModel], logger: Logger) {
        self.readModels = readModels
        self.logger = logger
    }

    /// Indexes `records` in every read model, in registration order. A read model's failure is logged, not thrown.
    func index(_ records: [OperationRecord]) async {
        guard !records.isEmpty else { return }
        for model in readModels {
            do {
                try await model.indexOperations(records)
            } catch {
                logger.error("read model failed", metadata: ["readModel": "\(model.name)", "error": "\(error)"])
            }
        }
    }
}
