import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite

/// `reactor-bench time-travel`: what a read of the past costs (issue 17), against a read at the head.
///
/// Builds a to-do list of `--operations` `ADD_TODO` operations in a SQLite file with a keyframe every
/// `--keyframe-interval` operations, then times (median of `--repeats`): the head read from the write cache, the head
/// loaded from the store (the baseline), a read at the revision `--past` operations after a keyframe in the middle of
/// the stream, and a diff between that revision and the keyframe's. Then the same list without periodic keyframes,
/// where the read at that revision replays every operation from 0. Each line gives the ratio to the baseline.
struct TimeTravelBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time-travel", abstract: "Reads at a revision in the past against reads at the head and a replay from 0.")

    @Option(name: .long, help: "ADD_TODO operations in the list.") var operations: Int = 10_000
    @Option(name: .long, help: "Operations between keyframes.") var keyframeInterval: Int = 100
    @Option(name: .long, help: "How far past its keyframe the revision read is (operations to reduce).") var past: Int = 50
    @Option(name: .long, help: "Reads per measurement (the median is reported).") var repeats: Int = 20
    @Option(name: .long, help: "Actions per job while building the list.") var batch: Int = 250
    @Option(name: .long, help: "Directory for the databases (a temp dir when omitted).") var dir: String?

    func run() async throws {
        let base = try BenchList.scratchDirectory(under: dir, name: "reactor-time-travel")
        defer { try? FileManager.default.removeItem(at: base) }
        let interval = max(1, keyframeInterval)
        let keyframe = max(1, operations / interval / 2) * interval
        let revision = min(operations, keyframe + max(0, past))
        print("reactor-bench time-travel: \(operations) operations, a keyframe every \(interval), reading revision \(revision) (\(revision - keyframe) past the keyframe at \(keyframe)), median of \(repeats)")
        let repeats = self.repeats
        let keyed = try await withList(at: base.appendingPathComponent("keyframes.sqlite").path, interval: interval) { module in
            let reactor = module.reactor
            _ = try await reactor.get("list")
            let cached = try await Self.median(repeats) { _ = try await reactor.get("list") }
            let cold = try await Self.median(repeats) {
                module.writeCache.removeAll()
                _ = try await reactor.get("list")
            }
            _ = try await reactor.get("list")
            let atRevision = try await Self.median(repeats) { _ = try await reactor.get("list", at: .revisions([Scope.global: revision])) }
            let diff = try await Self.median(repeats) { _ = try await reactor.diff("list", scope: Scope.global, from: keyframe, to: revision) }
            return (cached, cold, atRevision, diff)
        }
        let replay = try await withList(at: base.appendingPathComponent("replay.sqlite").path, interval: 0) { module in
            let reactor = module.reactor
            _ = try await reactor.get("list")
            return try await Self.median(repeats) { _ = try await reactor.get("list", at: .revisions([Scope.global: revision])) }
        }
        let baseline = keyed.1
        Self.report("head, from the write cache", keyed.0, baseline)
        Self.report("head, loaded from the store (baseline)", keyed.1, baseline)
        Self.report("revision \(revision), \(revision - keyframe) past its keyframe", keyed.2, baseline)
        Self.report("diff \(keyframe) -> \(revision)", keyed.3, baseline)
        Self.report("revision \(revision) without periodic keyframes (a replay from 0)", replay, baseline)
    }

    /// A reactor on a new SQLite file holding the list `list` of `operations` to-dos, keyframes every `interval` (0:
    /// none but the ones undo and prune store).
    private func withList<T: Sendable>(at path: String, interval: Int, _ body: @Sendable (ReactorModule) async throws -> T) async throws -> T {
        let store = try SQLiteStore(path: path)
        let (operations, batch) = (self.operations, max(1, self.batch))
        let result = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
            .withExecutorConfig(ExecutorConfig(jobTimeout: .seconds(3_600)))
            .withKeyframeConfig(KeyframeConfig(interval: interval)).withReactor { module in
                try await BenchList.fill(module.reactor, id: "list", operations: operations, batch: batch)
                return try await body(module)
            }
        try await store.close()
        return result
    }

    /// The median duration of `count` runs of `body`, in milliseconds.
    static func median(_ count: Int, _ body: @Sendable () async throws -> Void) async throws -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, count) {
            let start = ContinuousClock.now
            try await body()
            let elapsed = start.duration(to: .now)
            times.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return times.sorted()[times.count / 2]
    }

    static func report(_ what: String, _ ms: Double, _ baseline: Double) {
        let label = what.padding(toLength: max(62, what.count), withPad: " ", startingAt: 0)
        print(label + String(format: " %10.3f ms  %8.2fx the baseline", ms, baseline > 0 ? ms / baseline : 0))
    }
}
