import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite
import Synchronization

/// `reactor-bench soak`: resident memory over many single-action jobs (issue 12: flat after warm-up).
///
/// A reactor on a SQLite file with the server's defaults (write cache, finished jobs kept for lookup, admission
/// limits); `--clients` concurrent clients each submit single-action jobs (`SET_TITLE`) round-robin over
/// `--documents` to-do lists and wait for `READ_READY` before the next. The process's resident memory is sampled every
/// `count / samples` jobs; the growth is quoted from the first sample at or after `--warm-up` jobs (by then the
/// finished-job table, 100,000 jobs by default, and the caches are full) to the last.
struct SoakBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak", abstract: "Resident memory over many single-action jobs.")

    @Option(name: .long, help: "Jobs in all (single-action jobs).") var count: Int = 1_000_000
    @Option(name: .long, help: "To-do lists the jobs go to.") var documents: Int = 100
    @Option(name: .long, help: "Concurrent clients (each waits for its job before submitting the next).") var clients: Int = 8
    @Option(name: .long, help: "Resident-memory samples over the run.") var samples: Int = 20
    @Option(name: .long, help: "Jobs before the growth baseline sample.") var warmUp: Int = 200_000
    @Option(name: .long, help: "Directory for the database (a temp dir when omitted).") var dir: String?

    func run() async throws {
        guard count > 0, documents > 0, clients > 0, samples > 0 else { throw ValidationError("counts must be positive") }
        let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("reactor-soak-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let store = try SQLiteStore(path: base.appendingPathComponent("soak.sqlite").path)
        let (jobs, documents, clients) = (count, self.documents, self.clients)
        let step = max(1, jobs / samples)
        let progress = Progress()
        print("reactor-bench soak: \(jobs) single-action jobs on \(documents) documents, \(clients) clients, SQLite")
        let start = ContinuousClock.now
        try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store).withReactor { module in
            let reactor = module.reactor
            let ids = (0..<documents).map { "soak-\($0)" }
            for id in ids { _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: id, documentType: TodoList.documentType)).id) }
            progress.sample(jobs: 0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<clients {
                    group.addTask {
                        for n in stride(from: client, to: jobs, by: clients) {
                            let info = try await reactor.waitForJob(try await reactor.execute(ids[n % documents], actions: [TodoList.setTitle("title \(n)")]).id)
                            guard info.status == .readReady else { throw ReactorError(.internal, "job \(info.id) ended \(info.status)") }
                            let finished = progress.done.add(1, ordering: .relaxed).newValue
                            if finished % step == 0 || finished == jobs { progress.sample(jobs: finished) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        try await store.close()
        let seconds = SyncBenchCommand.seconds(start.duration(to: .now))
        let points = progress.rss.withLock { $0 }.sorted { $0.jobs < $1.jobs }
        for p in points { print(String(format: "%10d jobs: RSS %@", p.jobs, UndoBenchCommand.mebibytes(p.bytes))) }
        guard let baseline = points.first(where: { $0.jobs >= warmUp }), let last = points.last, baseline.bytes > 0 else {
            print(String(format: "%.0f jobs/s; no sample after the warm-up of %d jobs", Double(jobs) / seconds, warmUp))
            return
        }
        let growth = Double(last.bytes - baseline.bytes) / Double(baseline.bytes) * 100
        print(String(format: "%.0f jobs/s over %.0f s; RSS %@ at %d jobs → %@ at %d jobs: %+.1f %% after warm-up (target ≤ 10 %%)",
                     Double(jobs) / seconds, seconds, UndoBenchCommand.mebibytes(baseline.bytes), baseline.jobs,
                     UndoBenchCommand.mebibytes(last.bytes), last.jobs, growth))
    }

    /// Jobs finished and resident-memory samples, shared by the clients.
    final class Progress: Sendable {
        let done = Atomic<Int>(0)
        let rss = Mutex<[(jobs: Int, bytes: Int)]>([])

        func sample(jobs: Int) {
            let bytes = UndoBenchCommand.status("VmRSS")
            rss.withLock { $0.append((jobs, bytes)) }
        }
    }
}
