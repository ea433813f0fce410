import ArgumentParser
import Foundation
import Logging
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorRemote
import ReactorSQLite
import ReactorServer

/// `reactor-bench client`: the remote client's `execute` round trip (issue 17). The server runs in this process on
/// SQLite on loopback; the same write (a `TOGGLE_TODO` on a one-item list, so the answer keeps its size) is sent
/// `requests` times one at a time through `RemoteReactorClient.execute` and by curl, which reuses one connection for
/// all of its requests (`--next`). Prints p50 and p99 of both and their ratio.
struct ClientBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "RemoteReactorClient.execute against curl on loopback.")

    @Option(name: .long, help: "Requests per measurement, one at a time.") var requests: Int = 2_000
    @Option(name: .long, help: "Requests before measuring (each way).") var warmup: Int = 200
    @Option(name: .long, help: "Directory for the SQLite database (a temp dir when omitted).") var dir: String?

    func run() async throws {
        let directory = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("reactor-bench-client-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let reactor = try await ReactorBuilder().withDocumentModels(BuiltInModels.all)
            .withStore(try SQLiteStore(path: directory + "/bench.sqlite")).build()
        let deps = ServerDependencies(reactor: reactor)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await ServerRuntime.run(deps, host: "127.0.0.1", port: 0, logger: logger, handleSignals: false) { portContinuation.yield($0) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            try await measure(base: "http://127.0.0.1:\(port)", directory: directory)
            group.cancelAll()
        }
    }

    func measure(base: String, directory: String) async throws {
        let client = RemoteReactorClient(baseURL: base)
        let document = try await client.create(NewDocument(id: "bench", documentType: "reactor/todo-list"))
        _ = try await client.execute(document.id, actions: [TodoList.addTodo(id: "t", text: "toggled")])
        let toggle = { Action(type: "TOGGLE_TODO", input: ["id": "t"]) }
        for _ in 0..<warmup { _ = try await client.execute(document.id, actions: [toggle()]) }
        _ = try curl(base: base, count: warmup, directory: directory, toggle: toggle)
        var remote: [Double] = []
        for _ in 0..<requests {
            let start = ContinuousClock.now
            _ = try await client.execute(document.id, actions: [toggle()])
            remote.append(Self.milliseconds(start.duration(to: .now)))
        }
        let curled = try curl(base: base, count: requests, directory: directory, toggle: toggle)
        remote.sort()
        let curledSorted = curled.sorted()
        let (r50, r99) = (AIBenchCommand.percentile(remote, 0.5), AIBenchCommand.percentile(remote, 0.99))
        let (c50, c99) = (AIBenchCommand.percentile(curledSorted, 0.5), AIBenchCommand.percentile(curledSorted, 0.99))
        print(String(format: "RemoteReactorClient.execute: p50 %.3f ms p99 %.3f ms (%d requests)", r50, r99, requests))
        print(String(format: "curl, one connection:       p50 %.3f ms p99 %.3f ms (%d requests)", c50, c99, curled.count))
        print(String(format: "ratio client/curl: p50 %.2fx p99 %.2fx", r50 / c50, r99 / c99))
    }

    /// Sends `count` writes with one curl process (one connection, `--next` between requests) and returns each one's
    /// `time_total` in milliseconds.
    func curl(base: String, count: Int, directory: String, toggle: () -> Action) throws -> [Double] {
        var config = ""
        for n in 0..<count {
            if n > 0 { config += "next\n" }
            let body = JSONValue.object(["actions": .array([try JSONValueCoder.encode(toggle())])]).canonicalString
            config += "url = \"\(base)/reactor/v1/documents/bench/actions?branch=main&wait=true\"\n"
            config += "header = \"Content-Type: application/json\"\nheader = \"Accept: application/json\"\n"
            config += "data = \"\(body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"\n"
            config += "output = \"/dev/null\"\nwrite-out = \"%{time_total}\\n\"\nsilent\n"
        }
        let file = directory + "/curl-\(UUID().uuidString).conf"
        try config.write(toFile: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--config", file]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("curl exited with \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Double($0).map { $0 * 1000 } }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
