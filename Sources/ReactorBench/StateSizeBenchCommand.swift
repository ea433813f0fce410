import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorServer
import ReactorSQLite

/// `reactor-bench state-size`: what one action costs as a document's state grows (issue 12).
///
/// For each size, a to-do list of that many items in a SQLite file (the server's defaults: a keyframe every 100
/// operations, the document in the write cache); then `--samples` single-action jobs (`TOGGLE_TODO` on an item) one at
/// a time, submit to `READ_READY` (in process, or with `--transport http` as `POST …/actions?wait=true` with
/// `Prefer: return=minimal` to a server on loopback, so the answer does not carry the state), and one job of `--job-actions` toggles with the process's peak resident memory
/// while it ran. The smallest size is the baseline: every other size is quoted as a ratio to it, in the same run.
struct StateSizeBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state-size", abstract: "Single-action job latency and a long job's memory as the state grows.")

    @Option(name: .long, help: "To-do list sizes, comma-separated; the first is the baseline.") var sizes: String = "10,1000,10000"
    @Option(name: .long, help: "Single-action jobs timed per size.") var samples: Int = 50
    @Option(name: .long, help: "Actions of the one long job per size (0: none).") var jobActions: Int = 1_000
    @Option(name: .long, help: "Directory for the databases (a temp dir when omitted).") var dir: String?
    @Option(name: .long, help: "inprocess, or http (POST ?wait=true with Prefer: return=minimal to a server on loopback).")
    var transport: String = "inprocess"

    func run() async throws {
        guard ["inprocess", "http"].contains(transport) else { throw ValidationError("--transport must be inprocess or http") }
        let sizes = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let baselineSize = sizes.first, sizes.allSatisfy({ $0 > 0 }) else { throw ValidationError("--sizes must be positive integers") }
        let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("reactor-state-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        var baseline: Double?
        print("reactor-bench state-size: sizes \(sizes), \(samples) single-action jobs each (\(transport)), one job of \(jobActions) actions")
        let http = transport == "http"
        for size in sizes {
            let store = try SQLiteStore(path: base.appendingPathComponent("state-\(size).sqlite").path)
            let builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
                .withExecutorConfig(ExecutorConfig(jobTimeout: .seconds(3_600)))
            let (samples, jobActions) = (max(1, self.samples), max(0, self.jobActions))
            let result = try await Self.running(builder, http: http) { reactor, url -> (median: Double, p99: Double, jobSeconds: Double?, peak: Int, before: Int) in
                // The list starts with `size` items given as its initial state (adding them one action at a time would
                // take longer than the measurement itself on the large sizes).
                let items: [TodoList.Item] = (0..<size).map { TodoList.Item(id: "t\($0)", text: "to-do number \($0)") }
                let initial = try JSONValueCoder.encode(TodoList.State(title: "bench", items: items))
                _ = try await reactor.waitForJob(try await reactor.create(NewDocument(
                    id: "list", documentType: TodoList.documentType, initialState: [Scope.global: initial])).id, timeout: .seconds(3_600))
                let latencies: [Double]
                if let url {
                    latencies = try await (0..<samples).asyncMap { i in try await Self.timedRequest(url, item: "t\(i % size)") }
                } else {
                    latencies = try await (0..<samples).asyncMap { i in
                        let start = ContinuousClock.now
                        let info = try await reactor.waitForJob(try await reactor.execute("list", actions: [TodoList.toggleTodo(id: "t\(i % size)")]).id)
                        guard info.status == .readReady else { throw ReactorError(.internal, "a job failed") }
                        return SyncBenchCommand.milliseconds(start.duration(to: .now))
                    }
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

    /// Runs `body` with a running reactor and, with `http`, the actions URL of the list on a server on loopback that
    /// serves it (the server runs the reactor).
    static func running<T: Sendable>(
        _ builder: ReactorBuilder, http: Bool, _ body: @escaping @Sendable (Reactor, String?) async throws -> T
    ) async throws -> T {
        guard http else { return try await builder.withReactor { try await body($0.reactor, nil) } }
        let reactor = try await builder.build()
        let logger: Logger = {
            var logger = Logger(label: "reactor-bench")
            logger.logLevel = .critical  // the server's shutdown on cancellation logs errors that are not the bench's
            return logger
        }()
        let deps = ServerDependencies(reactor: reactor, sync: nil, auth: nil, admin: AdminHooks(), options: ServerOptions())
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await ServerRuntime.run(deps, host: "127.0.0.1", port: 0, logger: logger, handleSignals: false) { continuation.yield($0) }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ReactorError(.internal, "the server did not start") }
            let result = try await body(reactor, "http://127.0.0.1:\(port)/reactor/v1/documents/list/actions?wait=true")
            group.cancelAll()
            return result
        }
    }

    /// One `TOGGLE_TODO` over HTTP, waited for, without the document in the answer; its latency in milliseconds.
    static func timedRequest(_ url: String, item: String) async throws -> Double {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Prefer", value: "return=minimal")
        let body: JSONValue = ["actions": [["id": .string(RandomUUID.make()), "type": "TOGGLE_TODO", "input": ["id": .string(item)]]]]
        request.body = .bytes(body.canonicalData)
        let start = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let elapsed = SyncBenchCommand.milliseconds(start.duration(to: .now))
        guard response.status == .ok else {
            throw ReactorError(.internal, "HTTP \(response.status.code): \(String(buffer: bytes))")
        }
        return elapsed
    }
}

extension Sequence where Element: Sendable {
    /// `map` with an async transform, one element after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
