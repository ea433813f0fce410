import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite
import Synchronization

/// `reactor-bench crash-worker`: submits jobs forever and reports each job as it is submitted and as it reaches
/// WRITE_READY, one line each, flushed at once. The crash-safety test kills it with SIGKILL and checks the database.
struct CrashWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crash-worker", abstract: "Test helper: write until killed.", shouldDisplay: false)

    @Option(name: .long) var db: String
    @Option(name: .long) var documents: Int = 8
    @Option(name: .long) var maxJobs: Int = 1_000_000

    func run() async throws {
        let store = try SQLiteStore(path: db)
        let builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
            .withExecutorConfig(ExecutorConfig(maxConcurrency: 4)).withKeyframeConfig(KeyframeConfig(interval: 50))
        try await builder.withReactor { module in
            let reactor = module.reactor
            module.eventBus.subscribe([.jobWriteReady]) { event in
                guard case .jobWriteReady(let info, let records) = event else { return }
                let coords = records.map { "\($0.stream.scope):\($0.operation.index):\($0.operation.action.id)" }.joined(separator: ",")
                Self.emit("WRITE_READY \(info.id) \(info.documentID) \(coords)")
            }
            let ids = (0..<documents).map { "crash-\($0)" }
            for id in ids {
                let job = try await reactor.create(NewDocument(id: id, documentType: TodoList.documentType))
                _ = try await reactor.waitForJob(job.id)
            }
            Self.emit("READY")
            var n = 0
            while n < maxJobs {
                for id in ids {
                    n += 1
                    let actions = (0..<(1 + n % 3)).map { k in TodoList.addTodo(id: "t\(n)-\(k)", text: "item \(n).\(k)") }
                    let job = try await reactor.execute(id, actions: actions)
                    Self.emit("SUBMIT \(job.id) \(id) \(actions.map(\.id).joined(separator: ","))")
                }
                while module.queue.pendingCount > 64 { try await Task.sleep(for: .milliseconds(1)) }
            }
        }
    }

    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
