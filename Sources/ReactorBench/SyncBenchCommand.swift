import ArgumentParser
import Foundation
import Logging
import ReactorConfig
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorServer
import ReactorSQLite
import Synchronization

/// `reactor-bench sync`: replication between two reactors on SQLite (issue 11).
///
/// The documents are counters (``BenchCounter``: `ADD {amount}`, a state of one number), so that what is measured is
/// sync and the store, not a reducer whose cost grows with its state (the to-do list's, issue 12).
///
/// Reactor B has one remote, A: it pulls A's operations with a live long poll. Two measurements, each beside its
/// baseline in the same run:
/// - **Throughput**: `--operations` to-do operations written on A in jobs of `--batch` actions over `--documents`
///   documents; operations replicated per second (from the first write on A to the last operation `READ_READY` on B),
///   beside A's own write rate in the same run.
/// - **Latency**: `--samples` single-action jobs on A, one at a time; for each, the time from `READ_READY` on A to
///   `READ_READY` on B (p50, p99), beside A's own write latency (submit to `READ_READY`).
struct SyncBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "Operations/s replicated and READ_READY-to-READ_READY latency between two reactors.")

    @Option(name: .long, help: "Operations written on A for the throughput run.") var operations: Int = 20_000
    @Option(name: .long, help: "Actions per job in the throughput run.") var batch: Int = 50
    @Option(name: .long, help: "Documents the throughput run writes.") var documents: Int = 8
    @Option(name: .long, help: "Single-action jobs timed for latency.") var samples: Int = 300
    @Option(name: .long, help: "Page size (operations per envelope or page).") var pageSize: Int = 500
    @Option(name: .long, help: "inprocess, or http (two servers on loopback).") var transport: String = "inprocess"
    @Option(name: .long, help: "Directory for the databases (a temp dir when omitted).") var dir: String?

    func run() async throws {
        let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("reactor-sync-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let pair = try await SyncBenchPair.make(transport: transport, directory: base, pageSize: pageSize)
        let (operations, batch, documents, samples) = (self.operations, max(1, self.batch), max(1, self.documents), max(1, self.samples))
        try await pair.running { [transport] a, b in
            let arrivals = Arrivals()
            b.eventBus.subscribe([.jobReadReady], delivery: .inline) { event in
                if case .jobReadReady(_, let records) = event { arrivals.arrived(records) }
            }
            // The documents exist on both sides first.
            for d in 0..<documents {
                _ = try await a.waitForJob(try await a.create(NewDocument(id: "doc-\(d)", documentType: BenchCounter.documentType)).id)
            }
            try await arrivals.wait(count: documents)

            // Throughput.
            let jobs = (operations + batch - 1) / batch
            let start = ContinuousClock.now
            let expected = documents + jobs * batch
            try await withThrowingTaskGroup(of: Void.self) { group in
                for d in 0..<documents {
                    group.addTask {
                        var j = d
                        while j < jobs {
                            let actions = (0..<batch).map { k in Action(id: "t\(j)-\(k)", type: "ADD", input: ["amount": .number(Double(k))]) }
                            let info = try await a.waitForJob(try await a.execute("doc-\(d)", actions: actions).id, timeout: .seconds(600))
                            guard info.status == .readReady else { throw ReactorError(.internal, "a write failed: \(info.error?.description ?? "")") }
                            j += documents
                        }
                    }
                }
                try await group.waitForAll()
            }
            let written = start.duration(to: .now)
            try await arrivals.wait(count: expected)
            let replicated = start.duration(to: .now)
            let n = Double(jobs * batch)
            print(String(format: "sync throughput (%@): %d operations in jobs of %d on %d documents: written on A at %.0f ops/s (baseline), replicated to B at %.0f ops/s (%.2fx of A's write rate)",
                         transport, jobs * batch, batch, documents, n / Self.seconds(written), n / Self.seconds(replicated),
                         Self.seconds(written) / Self.seconds(replicated)))

            // Latency.
            var local: [Double] = []
            var replication: [Double] = []
            for i in 0..<samples {
                let action = Action(id: "lat-\(i)", type: "ADD", input: ["amount": 1])
                let submitted = ContinuousClock.now
                let info = try await a.waitForJob(try await a.execute("doc-0", actions: [action]).id, timeout: .seconds(60))
                let ready = ContinuousClock.now
                guard info.status == .readReady else { throw ReactorError(.internal, "a write failed") }
                let arrived = try await arrivals.wait(actionID: action.id)
                local.append(Self.milliseconds(submitted.duration(to: ready)))
                replication.append(Self.milliseconds(ready.duration(to: arrived)))
            }
            print(String(format: "sync latency (%@), %d single-action jobs: READ_READY on A to READ_READY on B p50 %.1f ms, p99 %.1f ms; A's own write (baseline) p50 %.1f ms, p99 %.1f ms",
                         transport, samples, Self.percentile(replication, 0.5), Self.percentile(replication, 0.99),
                         Self.percentile(local, 0.5), Self.percentile(local, 0.99)))
        }
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    static func milliseconds(_ d: Duration) -> Double { seconds(d) * 1_000 }
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}

/// When operations became `READ_READY` on the receiving reactor.
final class Arrivals: Sendable {
    private let state = Mutex((count: 0, byAction: [String: ContinuousClock.Instant]()))

    func arrived(_ records: [OperationRecord]) {
        let now = ContinuousClock.now
        state.withLock { s in
            s.count += records.count
            for r in records where r.operation.action.id.hasPrefix("lat-") { s.byAction[r.operation.action.id] = now }
        }
    }

    /// Waits (polling every millisecond) until `count` operations arrived.
    func wait(count: Int, timeout: Duration = .seconds(600)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while state.withLock({ $0.count }) < count {
            guard ContinuousClock.now < deadline else { throw ReactorError(.internal, "only \(state.withLock { $0.count }) of \(count) operations arrived") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Waits until the operation of `actionID` arrived; returns when.
    func wait(actionID: String, timeout: Duration = .seconds(60)) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let at = state.withLock({ $0.byAction[actionID] }) { return at }
            guard ContinuousClock.now < deadline else { throw ReactorError(.internal, "operation of \(actionID) never arrived") }
            try await Task.sleep(for: .microseconds(200))
        }
    }
}

/// Two reactors, B syncing with A: in one process through an ``InProcessSyncNetwork``, or over HTTP (A served by
/// the real server on a loopback port, B's remote an ``HTTPSyncChannel`` to it).
struct SyncBenchPair: Sendable {
    let a: ReactorModule
    let b: ReactorModule
    let transport: String

    static func make(transport: String, directory: URL, pageSize: Int) async throws -> SyncBenchPair {
        let network = InProcessSyncNetwork()
        let config = SyncConfig(pageSize: pageSize)
        func builder(_ name: String) throws -> ReactorBuilder {
            var b = ReactorBuilder().withDocumentModels(BuiltInModels.all + [BenchCounter.model])
                .withStore(try SQLiteStore(path: directory.appendingPathComponent("\(name).sqlite").path)).withSync(config)
            switch transport {
            case "inprocess": b = b.withSyncNetwork(network, name: name)
            case "http": b = b.withSyncChannels(HTTPSyncChannel.factory(config: config, resolver: SecretResolver(environment: [:], vault: nil)))
            default: throw ValidationError("--transport must be inprocess or http")
            }
            return b
        }
        return SyncBenchPair(a: try await builder("a").buildModule(), b: try await builder("b").buildModule(), transport: transport)
    }

    func running(_ body: @escaping @Sendable (Reactor, Reactor) async throws -> Void) async throws {
        guard transport == "http" else {
            return try await a.withRunning {
                try await b.withRunning {
                    try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a")))
                    try await body(a.reactor, b.reactor)
                }
            }
        }
        let logger: Logger = {
            var logger = Logger(label: "reactor-bench")
            logger.logLevel = .warning
            return logger
        }()
        let deps = ServerDependencies(reactor: a.reactor, sync: a.sync, auth: nil, admin: AdminHooks(), options: ServerOptions())
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await ServerRuntime.run(deps, host: "127.0.0.1", port: 0, logger: logger, handleSignals: false) { continuation.yield($0) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ReactorError(.internal, "the server did not start") }
            try await b.withRunning {
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "http://127.0.0.1:\(port)")))
                try await body(a.reactor, b.reactor)
            }
            group.cancelAll()
        }
    }
}

/// A counter whose reduction costs the same at any size: `ADD {amount}`.
enum BenchCounter {
    static let documentType = "bench/counter"
    struct State: Codable, Sendable, Equatable { var value: Int }
    struct Amount: Codable, Sendable { var amount: Int }
    static let model = TypedDocumentModel(documentType: documentType, initialState: State(value: 0))
        .on("ADD", input: Amount.self) { state, input, _ in state.value += input.amount }
}
