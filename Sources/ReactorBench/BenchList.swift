import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels

/// What several benchmarks share: a scratch directory and a long to-do list.
enum BenchList {
    /// A new directory for a benchmark's databases, under `dir` (or the temporary directory), named `name-<random>`.
    static func scratchDirectory(under dir: String?, name: String) throws -> URL {
        let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        return base
    }

    /// Creates the to-do list `id` and fills it with `operations` `ADD_TODO` operations, `batch` actions per job.
    static func fill(_ reactor: Reactor, id: String, operations: Int, batch: Int) async throws {
        _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: id, documentType: TodoList.documentType)).id)
        var n = 0
        while n < operations {
            let actions = (n..<min(operations, n + max(1, batch))).map { TodoList.addTodo(id: "t\($0)", text: "to-do number \($0)") }
            let info = try await reactor.waitForJob(try await reactor.execute(id, actions: actions).id, timeout: .seconds(600))
            guard info.status == .readReady else { throw ReactorError(.internal, "building the list failed: \(info.error?.description ?? "")") }
            n += actions.count
        }
    }
}
