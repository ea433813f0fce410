import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite

/// `reactor-bench state-size`: what one action costs as a document's state grows (issue 12).
///
/// For each size, a to-do list of that many items in a SQLite file (the server's defaults: a keyframe every 100
/// operations, the document in the write cache); then `--samples` single-action jobs (`TOGGLE_TODO` on an item) one at
/// a time, submit to `READ_READY`, and one job of `--job-actions` toggles with the process's peak resident memory
/// while it ran. The smallest size is the baseline: every other size is quoted as a ratio to it, in the same run.
struct StateSizeBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state-size", abstract: "Single-action job latency and a long job's memory as the state grows.")

    @Option(name: .long, help: "To-do list sizes, comma-separated; the first is the baseline.") var sizes: String = "10,1000,10000"
    @Option(name: .long, help: "Single-action jobs timed per size.") var samples: Int = 50
    @Option(name: .long, help: "Actions of the one long job per size (0: none).") var jobActions: Int = 1_000
    @Option(name: .long, help: "Directory for the databases (a temp dir when omitted).") var dir: String?

    func run() async throws {
        let sizes = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let baselineSize = sizes.first, sizes.allSatisfy({ $0 > 0 }) else { throw ValidationError("--sizes must be positive integers") }
        let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("reactor-state-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        var baseline: Double?
        print("reactor-bench state-size: sizes \(sizes), \(samples) single-action jobs each, one job of \(jobActions) actions")
        for size in sizes {
            let store = try SQLiteStore(path: base.appendingPathComponent("state-\(size).sqlite").path)
            let builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
                .withExecutorConfig(ExecutorConfig(jobTimeout: .seconds(3_600)))
            let (samples, jobActions) = (max(1, self.samples), max(0, self.jobActions))
            let result = try await builder.withReactor { module -> (median: Double, p99: Double, jobSeconds: Double?, peak: Int, before: Int) in
                let reactor = module.reactor
                // The list starts with `size` items given as its initial state (adding them one action at a time would
                // take longer than the measurement itself on the large sizes).
                let items: [TodoList.Item] = (0..<size).map { TodoList.Item(id: "t\($0)", text: "to-do number \($0)") }
                let initial = try JSONValueCoder.encode(TodoList.State(title: "bench", items: items))
                _ = try await reactor.waitForJob(try await reactor.create(NewDocument(
                    id: "list", documentType: TodoList.documentType, initialState: [Scope.global: initial])).id, timeout: .seconds(3_600))
                var latencies: [Double] = []
                for i in 0..<samples {
                    let start = ContinuousClock.now
                    let info = try await reactor.waitForJob(try await reactor.execute("list", actions: [TodoList.toggleTodo(id: "t\(i % size)")]).id)
                    guard info.status == .readReady else { throw ReactorError(.internal, "a job failed") }
                    latencies.append(SyncBenchCommand.milliseconds(start.duration(to: .now)))
                }
                var jobSeconds: Double?
                let before = UndoBenchCommand.status("VmRSS")
                UndoBenchCommand.resetPeak()
                if jobActions > 0 {
                    let actions = (0..<jobActions).map { TodoList.toggleTodo(id: "t\($0 % size)") }
                    let start = ContinuousClock.now
                    _ = try await reactor.waitForJob(try await reactor.execute("list", actions: actions).id, timeout: .seconds(3_600))
                    jobSeconds = SyncBenchCommand.seconds(start.duration(to: .now))
                }
                return (SyncBenchCommand.percentile(latencies, 0.5), SyncBenchCommand.percentile(latencies, 0.99), jobSeconds,
                        UndoBenchCommand.status("VmHWM"), before)
            }
            try await store.close()
            if size == baselineSize { baseline = result.median }
            let ratio = baseline.map { result.median / $0 } ?? 1
            var line = String(format: "%6d items: single-action job p50 %.2f ms, p99 %.2f ms (%.1fx the %d-item list)", size, result.median, result.p99,
                              ratio, baselineSize)
            if let seconds = result.jobSeconds {
                line += String(format: "; a %d-action job %.2f s, peak RSS %@ (%@ above before it)", jobActions, seconds,
                               UndoBenchCommand.mebibytes(result.peak), UndoBenchCommand.mebibytes(max(0, result.peak - result.before)))
            }
            print(line)
        }
    }
}
