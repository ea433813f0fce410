import Foundation
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorTesting
import Testing

/// What one undo costs (issue 10): reductions from the nearest keyframe, not from the start of the history; a bound
/// on the operations one history replay may process (`HISTORY_TOO_LONG`); and a replay that stops at its job's
/// timeout. Each test counts the reductions of its own model (``ReductionProbe``), never time.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HistoryCostTests {
    private func builder(_ kind: StoreKind, documentType: String) throws -> ReactorBuilder {
        let (models, manifests) = Stack.models(documentType: documentType)
        return ReactorBuilder().withStore(try kind.makeStore()).withDocumentModels(models).withUpgradeManifests(manifests)
    }

    private func pushes(_ range: Range<Int>, batch: Int, into id: String, _ reactor: Reactor) async throws {
        var n = range.lowerBound
        while n < range.upperBound {
            let info = try await reactor.executeAndWait(id, (n..<min(range.upperBound, n + batch)).map { Stack.push($0) })
            #expect(info.status == .readReady, "\(info.error?.description ?? "")")
            n += batch
        }
    }

    /// An undo (and a redo) on a 600-operation history reduces at most two keyframe intervals' worth of operations
    /// (the snapshot from its keyframe, the state undone to from its keyframe); the full replay reduced all 600.
    @Test(arguments: StoreKind.allCases)
    func undoReducesFromTheNearestKeyframe(_ kind: StoreKind) async throws {
        let type = "test/stack-undo-cost-\(kind.rawValue)"
        let probe = ReductionProbe.named(type)
        let interval = 50
        try await builder(kind, documentType: type).withKeyframeConfig(KeyframeConfig(interval: interval)).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "long", documentType: type)).id)
            try await pushes(0..<600, batch: 100, into: "long", reactor)
            for round in 0..<3 {
                module.writeCache.removeAll()
                let before = probe.reductions
                #expect(try await reactor.executeAndWait("long", [Action(type: BaseAction.undo)]).status == .readReady)
                #expect(probe.reductions - before <= 2 * interval, "undo \(round) reduced \(probe.reductions - before) times")
            }
            let before = probe.reductions
            #expect(try await reactor.executeAndWait("long", [Action(type: BaseAction.redo)]).status == .readReady)
            #expect(probe.reductions - before <= 2 * interval)
            let state = try await reactor.get("long").state[Scope.global]
            #expect(state?["items"]?.arrayValue?.count == 598)
            let ops = try await reactor.operations(OperationQuery(documentID: "long", scopes: [Scope.global], fromIndex: 600)).items.map(\.operation)
            #expect(ops.map(\.skip) == [1, 1, 1, 0])
            #expect(ops.allSatisfy { $0.error == nil })
        }
    }

    /// More operations since the last prune than `maxReplayOperations`: the undo fails with `HISTORY_TOO_LONG` and
    /// writes nothing; a `PRUNE` from 0 still works, and after it undo works again.
    @Test(arguments: StoreKind.allCases)
    func historyTooLongUntilPruned(_ kind: StoreKind) async throws {
        let type = "test/stack-bound-\(kind.rawValue)"
        try await builder(kind, documentType: type).withHistoryConfig(HistoryConfig(maxReplayOperations: 40)).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "bounded", documentType: type)).id)
            try await pushes(0..<30, batch: 30, into: "bounded", reactor)
            #expect(try await reactor.executeAndWait("bounded", [Action(type: BaseAction.undo)]).status == .readReady)
            try await pushes(30..<60, batch: 30, into: "bounded", reactor)

            let refused = try await reactor.waitForJobInfo(try await reactor.execute("bounded", actions: [Action(type: BaseAction.undo)]).id, timeout: .seconds(60))
            #expect(refused.status == .failed)
            #expect(refused.error?.code == .historyTooLong)
            #expect(refused.error?.message.contains("PRUNE") == true)
            #expect(refused.error?.details["limit"] == "40")
            // The job's own operations count too.
            let inJob = try await reactor.waitForJobInfo(try await reactor.execute("bounded", actions: [Stack.push(1), Action(type: BaseAction.redo)]).id, timeout: .seconds(60))
            #expect(inJob.error?.code == .historyTooLong)
            #expect(try await reactor.get("bounded").header.revision[Scope.global] == 61)

            #expect(try await reactor.executeAndWait("bounded", [Action(type: BaseAction.prune)]).status == .readReady)
            try await pushes(60..<70, batch: 10, into: "bounded", reactor)
            #expect(try await reactor.executeAndWait("bounded", [Action(type: BaseAction.undo)]).status == .readReady)
            let items = try await reactor.get("bounded").state[Scope.global]?["items"]?.arrayValue
            #expect(items?.count == 59 + 9)
        }
    }

    /// A history replay that would take seconds (keyframes off, every reduction slowed down) stops at its job's
    /// timeout: after the job failed with `JOB_TIMEOUT`, at most the reduction in progress finishes, and once the
    /// reactor has stopped (it waits for the job's task) far fewer than the history's operations were reduced.
    @Test func replayStopsAtTheJobTimeout() async throws {
        let type = "test/stack-timeout"
        let probe = ReductionProbe.named(type)
        let operations = 800
        let builder = try builder(.memory, documentType: type)
            .withKeyframeConfig(KeyframeConfig(interval: 0))
            .withWriteCacheConfig(WriteCacheConfig(ringBufferSize: 0))
            .withExecutorConfig(ExecutorConfig(jobTimeout: .seconds(5)))  // the setup's jobs need room on a loaded machine
        let atFailure = try await builder.withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "slow", documentType: type)).id)
            try await pushes(0..<operations, batch: 25, into: "slow", reactor)
            probe.slow(10_000)  // 10 ms per reduction: the whole history would take 8 s
            let start = probe.reductions
            let info = try await reactor.waitForJobInfo(try await reactor.execute("slow", actions: [Action(type: BaseAction.undo)]).id, timeout: .seconds(60))
            let atFailure = probe.reductions
            #expect(info.status == .failed)
            #expect(info.error?.code == .jobTimeout)
            #expect(atFailure - start < operations)
            return atFailure
        }
        probe.slow(0)
        #expect(probe.reductions <= atFailure + 1, "the replay went on after its job timed out: \(probe.reductions - atFailure) more reductions")
    }
}
