import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite

/// `reactor-bench undo`: the cost of one `UNDO` on a to-do list of many operations (issue 10).
///
/// Builds a to-do list of `--operations` `ADD_TODO` operations in a SQLite file (the server's defaults: a keyframe
/// every 100 operations, the document in the write cache), then times one `UNDO` job and reads the process's peak
/// resident memory while it ran (the peak is reset through `/proc/self/clear_refs` just before it, and read from
/// `VmHWM` after). Run one size per process, so that each peak is its own.
struct UndoBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "undo", abstract: "Time and peak memory of one UNDO on a long to-do list.")

    @Option(name: .long, help: "ADD_TODO operations before the UNDO.") var operations: Int = 3_000
    @Option(name: .long, help: "Actions per job while building the list.") var batch: Int = 250
    @Option(name: .long, help: "Operations between keyframes (the server's default is 100).") var keyframeInterval: Int = 100
    @Option(name: .long, help: "UNDO jobs to time, one after another (each reported).") var undos: Int = 1
    @Option(name: .long, help: "Directory for the database (a temp dir when omitted).") var dir: String?

    func run() async throws {
        let base = try BenchList.scratchDirectory(under: dir, name: "reactor-undo")
        defer { try? FileManager.default.removeItem(at: base) }
        let store = try SQLiteStore(path: base.appendingPathComponent("undo.sqlite").path)
        let builder = ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
            .withExecutorConfig(ExecutorConfig(jobTimeout: .seconds(3_600)))
            .withKeyframeConfig(KeyframeConfig(interval: keyframeInterval))
        let (operations, batch, undos) = (self.operations, max(1, self.batch), max(1, self.undos))
        try await builder.withReactor { module in
            let reactor = module.reactor
            try await BenchList.fill(reactor, id: "undo", operations: operations, batch: batch)
            let before = Self.status("VmRSS")
            print("reactor-bench undo: \(operations) operations, keyframe every \(keyframeInterval), RSS before the undo \(Self.mebibytes(before))")
            for round in 1...undos {
                Self.resetPeak()
                let start = ContinuousClock.now
                let info = try await reactor.waitForJob(try await reactor.execute("undo", actions: [Action(type: BaseAction.undo)]).id, timeout: .seconds(3_600))
                let elapsed = start.duration(to: .now)
                let peak = Self.status("VmHWM")
                let ms = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
                print(String(format: "undo %d: %@ in %.1f ms, peak RSS during it %@ (%@ above the RSS before)", round,
                             info.status.rawValue, ms, Self.mebibytes(peak), Self.mebibytes(max(0, peak - before))))
            }
        }
        try await store.close()
    }

    /// Resets the process's peak RSS (`VmHWM`) to its current RSS (Linux: `5` to `/proc/self/clear_refs`).
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// A `/proc/self/status` field in bytes (0 when unreadable).
    static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) } ?? 0
            return kb * 1_024
        }
        return 0
    }

    static func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}
