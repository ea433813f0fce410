import ArgumentParser
import Foundation
import GRDB
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorSQLite
import ReactorTesting

/// `reactor-bench`: measures the reactor and, side by side in the same run, raw SQLite inserts of the same rows.
///
/// A separate executable from `reactor`, because it links `ReactorTesting` (`CountingStore`, `PostgresTestServer`);
/// it also carries the crash-safety test's worker (``CrashWorkerCommand``).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reactor-bench",
        abstract: "Measure jobs/s (memory, SQLite), batched appends, cold load, cached get, and raw SQLite inserts.",
        discussion: "Build in release mode for meaningful numbers: swift run -c release reactor-bench",
        subcommands: [CrashWorkerCommand.self, UndoBenchCommand.self, SyncBenchCommand.self, StateSizeBenchCommand.self, SoakBenchCommand.self,
                      FunctionsBenchCommand.self, ModelsBenchCommand.self, AIBenchCommand.self, TimeTravelBenchCommand.self, ClientBenchCommand.self])

    @Option(name: .long, help: "Single-action jobs per throughput run.") var jobs: Int = 20_000
    @Option(name: .long, help: "Operations in the cold-load document.") var coldOperations: Int = 100_000
    @Option(name: .long, help: "Executor concurrency.") var concurrency: Int = 8
    @Option(name: .long, help: "The most queued jobs of one document committed together (ExecutorConfig.maxJobsPerCommit; 1 = each alone).") var jobsPerCommit: Int = 1
    @Option(name: .long, help: "Directory for the benchmark databases (a temp dir when omitted).") var dir: String?
    @Option(name: .long, help: "Run only these parts (comma-separated: raw, memory, sqlite, append, cold, postgres).") var only: String?
    @Option(name: .long, help: "PostgreSQL server for the postgres part (a throwaway local cluster when omitted).") var postgresURL: String?
    @Option(name: .long, help: "Single-action jobs (and raw inserts) per PostgreSQL run.") var postgresJobs: Int = 4_000

    private func wants(_ part: String) -> Bool {
        guard let only else { return true }
        return only.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == part }
    }

    func run() async throws {
        let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("reactor-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        var results: [(String, String)] = []
        func report(_ name: String, _ value: String) {
            results.append((name, value))
            print(String(format: "%-58@ %@", name as NSString, value))
        }
        print("reactor-bench: \(jobs) jobs per run, concurrency \(concurrency), cold document \(coldOperations) operations")

        // Raw SQLite baselines: the same operation rows, same durability (WAL, synchronous=NORMAL).
        var rawSingle = Double.nan
        var rawBatched = Double.nan
        if wants("raw") || wants("sqlite") || wants("append") {
            rawSingle = try rawInserts(path: base.appendingPathComponent("raw1.sqlite").path, rows: jobs, rowsPerTransaction: 1)
            report("raw SQLite insert, 1 row/transaction", rate(rawSingle))
            rawBatched = try rawInserts(path: base.appendingPathComponent("raw100.sqlite").path, rows: jobs * 5, rowsPerTransaction: 100)
            report("raw SQLite insert, 100 rows/transaction", rate(rawBatched))
        }
        if wants("memory") {
            let memory1 = try await jobsPerSecond(store: InMemoryStore(), documents: 1)
            report("jobs to READ_READY, memory, 1 document", rate(memory1))
            let memory100 = try await jobsPerSecond(store: InMemoryStore(), documents: 100)
            report("jobs to READ_READY, memory, 100 documents", rate(memory100))
        }
        if wants("sqlite") {
            let sqlite1 = try await jobsPerSecond(store: SQLiteStore(path: base.appendingPathComponent("one.sqlite").path), documents: 1)
            report("jobs to READ_READY, SQLite, 1 document", rate(sqlite1) + String(format: "  (%.2fx raw 1-row)", sqlite1 / rawSingle))
            let sqlite100 = try await jobsPerSecond(store: SQLiteStore(path: base.appendingPathComponent("hundred.sqlite").path), documents: 100)
            report("jobs to READ_READY, SQLite, 100 documents", rate(sqlite100) + String(format: "  (%.2fx raw 1-row)", sqlite100 / rawSingle))
        }
        if wants("append") {
            let appends = try await batchedAppends(path: base.appendingPathComponent("append.sqlite").path)
            report("batched appends, SQLite store, 100 ops/commit (ops/s)", rate(appends) + String(format: "  (%.2fx raw 100-row)", appends / rawBatched))
        }
        if wants("cold") {
            let (cold, opsRead, cachedMicros) = try await coldLoad(path: base.appendingPathComponent("cold.sqlite").path)
            report("cold load of a \(coldOperations)-op document (median)", String(format: "%.2f ms (%d operations read)", cold, opsRead))
            report("cached get (mean)", String(format: "%.2f µs", cachedMicros))
        }
        if wants("postgres") { try await postgresBenchmarks(report) }
        _ = results
    }

    func rate(_ perSecond: Double) -> String { String(format: "%10.0f /s", perSecond) }

    /// Single-action jobs submitted while the reactor runs, timed from the first submit to the last READ_READY.
    private func jobsPerSecond(store: any ReactorStore, documents: Int) async throws -> Double {
        let builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
            .withExecutorConfig(ExecutorConfig(maxConcurrency: concurrency, maxJobsPerCommit: jobsPerCommit)).withRetainedFinishedJobs(jobs + documents + 10)
            // Every job is submitted before most have run: measured with the queue full, not refused at its limits.
            .withAdmissionLimits(.unlimited)
        let jobs = self.jobs
        let seconds = try await builder.withReactor { module in
            let reactor = module.reactor
            let ids = (0..<documents).map { "bench-\($0)" }
            for id in ids { _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: id, documentType: TodoList.documentType)).id) }
            let start = ContinuousClock.now
            var last: [String: String] = [:]
            for n in 0..<jobs {
                let id = ids[n % documents]
                let info = try await reactor.execute(id, actions: [TodoList.setTitle("title \(n)")])
                last[id] = info.id
            }
            for jobID in last.values { _ = try await reactor.waitForJob(jobID, timeout: .seconds(600)) }
            let elapsed = start.duration(to: .now)
            let ready = module.jobTracker.count(where: [.readReady])
            guard ready == jobs + documents else { throw ReactorError(.internal, "only \(ready) jobs reached READ_READY") }
            return Self.seconds(elapsed)
        }
        try await store.close()
        return Double(jobs) / seconds
    }

    /// Store-level appends of 100 operations per commit.
    private func batchedAppends(path: String) async throws -> Double {
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        let header = DocumentHeader(id: "append", documentType: TodoList.documentType, createdAt: 0, lastModifiedAt: 0)
        _ = try await store.commit(Commit(header: header, createsDocument: true, appends: []))
        let stream = StreamID(documentID: "append", scope: Scope.global)
        let commits = max(1, jobs * 5 / 100)
        let start = ContinuousClock.now
        for c in 0..<commits {
            let ops = (0..<100).map { k -> ReactorCore.Operation in
                let i = c * 100 + k
                let action = Action(id: "a\(i)", type: "SET_TITLE", input: ["title": .string("title \(i)")], timestamp: 0)
                return ReactorCore.Operation(id: OperationID.make(stream: stream, actionID: action.id), index: i, timestamp: 0, hash: "h\(i)", action: action)
            }
            _ = try await store.commit(Commit(header: header, appends: [StreamAppend(stream: stream, expectedRevision: c * 100, operations: ops)]))
        }
        let seconds = Self.seconds(start.duration(to: .now))
        try await store.close()
        return Double(commits * 100) / seconds
    }

    /// Builds a document with `coldOperations` operations (keyframes every 1,000), then loads it cold repeatedly.
    private func coldLoad(path: String) async throws -> (milliseconds: Double, operationsRead: Int, cachedMicros: Double) {
        let store = try SQLiteStore(path: path)
        let builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
            .withKeyframeConfig(KeyframeConfig(interval: 1_000))
        let total = coldOperations
        try await builder.withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "cold", documentType: TodoList.documentType)).id)
            var written = 0
            while written < total {
                let n = min(500, total - written)
                let actions = (0..<n).map { TodoList.setTitle("title \(written + $0)") }
                _ = try await reactor.waitForJob(try await reactor.execute("cold", actions: actions).id, timeout: .seconds(600))
                written += n
            }
        }
        try await store.close()

        let counting = CountingStore(try SQLiteStore(path: path))
        let (unsorted, cachedMicros) = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(counting).withReactor { module in
            let reactor = module.reactor
            var samples: [Double] = []
            for _ in 0..<7 {
                module.writeCache.removeAll()
                let start = ContinuousClock.now
                let doc = try await reactor.get("cold")
                samples.append(Self.seconds(start.duration(to: .now)) * 1_000)
                guard doc.header.revision[Scope.global] == total else { throw ReactorError(.internal, "cold load returned the wrong revision") }
            }
            let n = 100_000
            let start = ContinuousClock.now
            for _ in 0..<n { _ = try await reactor.get("cold") }
            return (samples, Self.seconds(start.duration(to: .now)) * 1_000_000 / Double(n))
        }
        try await counting.close()
        let samples = unsorted.sorted()
        return (samples[samples.count / 2], counting.operationsRead / 7, cachedMicros)
    }

    /// Raw inserts of operation-shaped rows with a prepared statement.
    private func rawInserts(path: String, rows: Int, rowsPerTransaction: Int) throws -> Double {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let queue = try DatabaseQueue(path: path, configuration: config)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: """
                CREATE TABLE ops(ordinal INTEGER PRIMARY KEY AUTOINCREMENT, document_id TEXT NOT NULL, scope TEXT NOT NULL,
                  branch TEXT NOT NULL, idx INTEGER NOT NULL, op_id TEXT NOT NULL UNIQUE, action_type TEXT NOT NULL, input TEXT NOT NULL,
                  hash TEXT NOT NULL, timestamp INTEGER NOT NULL, UNIQUE(document_id, scope, branch, idx))
                """)
        }
        let start = ContinuousClock.now
        try queue.writeWithoutTransaction { db in
            let statement = try db.makeStatement(sql: "INSERT INTO ops(document_id, scope, branch, idx, op_id, action_type, input, hash, timestamp) VALUES (?,?,?,?,?,?,?,?,?)")
            var i = 0
            while i < rows {
                try db.inTransaction {
                    for _ in 0..<rowsPerTransaction where i < rows {
                        try statement.execute(arguments: ["raw", "global", "main", i, "op-\(i)", "SET_TITLE", "{\"title\":\"title \(i)\"}", "hash-\(i)", 0])
                        i += 1
                    }
                    return .commit
                }
            }
        }
        return Double(rows) / Self.seconds(start.duration(to: .now))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
