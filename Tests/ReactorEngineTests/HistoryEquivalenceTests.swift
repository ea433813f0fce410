import Foundation
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorTesting
import Testing

/// The engine's undo, redo, prune and upgrade against the engine as it was before issue 10, emulated job by job with
/// the full-replay ``ReferenceHistory`` and the old loader (every operation replayed from the start or the last
/// upgrade): random jobs of actions, undo, redo, prune and upgrades, with random keyframe and checkpoint intervals
/// and the write cache emptied between random jobs, store the same operations (skip, error, hash) and the same state.
@Suite(.timeLimit(.minutes(3))) struct HistoryEquivalenceTests {
    /// The pre-issue-10 engine, reduced to one document's `global` stream.
    struct OldEngine {
        var log: [ReactorCore.Operation] = []
        /// The stored state after each operation (what a keyframe holds).
        var after: [JSONValue] = []
        var state = Stack.initialState

        /// Runs one job's actions (already in the `global` scope's terms: an upgrade is `UPGRADE_DOCUMENT` there).
        mutating func run(_ actions: [Action]) throws {
            let start = log.count
            var history: ReferenceHistory?
            for action in actions {
                let index = log.count
                if BaseAction.isHistory(action.type), history == nil {
                    var loaded = oldLoad(Array(log[0..<start]))
                    try loaded.replay(Array(log[start..<index]))
                    history = loaded
                }
                var skip = 0
                var error: String?
                if var h = history {
                    let outcome = h.apply(action, at: index)
                    skip = outcome.skip
                    error = outcome.error
                    if error == nil { state = h.state }
                    history = h
                } else {
                    do { state = try Stack.reduce(state, action) } catch let thrown { error = History.describe(thrown) }
                }
                log.append(ReactorCore.Operation(id: action.id, index: index, skip: skip, timestamp: 0, hash: StateHash.of(state), action: action, error: error))
                after.append(state)
            }
        }

        /// The old `DocumentLoader.history`: from the last upgrade's state (with no steps), or from the start.
        func oldLoad(_ ops: [ReactorCore.Operation]) -> ReferenceHistory {
            if let barrier = ops.lastIndex(where: { $0.error == nil && $0.action.type == BaseAction.upgrade }) {
                var h = ReferenceHistory(initialState: after[barrier], reduce: Stack.reduce)
                try? h.replay(Array(ops[(barrier + 1)...]))
                return h
            }
            var h = ReferenceHistory(initialState: Stack.initialState, reduce: Stack.reduce)
            try? h.replay(ops)
            return h
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sameOperationsAndStatesAsTheFullReplay(_ kind: StoreKind) async throws {
        for seed in UInt64(1)...5 {
            try await run(seed: seed, kind: kind)
        }
    }

    private func run(seed: UInt64, kind: StoreKind) async throws {
        let keyframeInterval = [0, 1, 2, 5, 13][Int(seed) % 5]
        let checkpointInterval = Int(seed % 4) + 1
        let (models, manifests) = Stack.models()
        let builder = ReactorBuilder().withStore(try kind.makeStore()).withDocumentModels(models).withUpgradeManifests(manifests)
            .withKeyframeConfig(KeyframeConfig(interval: keyframeInterval))
            .withHistoryConfig(HistoryConfig(checkpointInterval: checkpointInterval))
        let context = "seed \(seed), keyframes every \(keyframeInterval), checkpoints every \(checkpointInterval)"
        try await builder.withReactor { module in
            let reactor = module.reactor
            var rng = SplitMix64(seed: seed &* 104_729 &+ (kind == .sqlite ? 1 : 0))
            let id = "stack-\(seed)"
            let created = try await reactor.create(NewDocument(id: id, documentType: Stack.documentType, modelVersion: 1))
            #expect(try await reactor.waitForJob(created.id).status == .readReady)
            var old = OldEngine()
            var version = 1
            var steps = 0  // a guess of the effective history's length, for prune starts
            for _ in 0..<70 {
                var actions: [Action] = []
                var emulated: [Action] = []
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    var upgrades = 0
                    var action = HistoryReplayTests.randomAction(&rng, steps: steps, upgrades: &upgrades)
                    if action.type == BaseAction.upgrade {
                        guard version < 4 else { continue }
                        action = Action(type: SystemAction.upgrade, scope: Scope.document, input: ["toVersion": .number(Double(version + 1))])
                        emulated.append(Action(id: "\(action.id)/upgrade", type: BaseAction.upgrade, input: [
                            "fromVersion": .number(Double(version)), "toVersion": .number(Double(version + 1)),
                        ]))
                        version += 1
                    } else {
                        emulated.append(action)
                    }
                    actions.append(action)
                    steps = max(0, steps + (action.type == "PUSH" ? 1 : action.type == BaseAction.undo ? -1 : 0))
                }
                guard !actions.isEmpty else { continue }
                let info = try await reactor.executeAndWait(id, actions)
                #expect(info.status == .readReady, "job failed: \(info.error?.description ?? "") (\(context))")
                try old.run(emulated)
                if Int.random(in: 0..<3, using: &rng) == 0 { module.writeCache.removeAll() }
            }
            var stored: [ReactorCore.Operation] = []
            var page = PageRequest(limit: 1_000)
            repeat {
                let got = try await reactor.operations(OperationQuery(documentID: id, scopes: [Scope.global]), page: page)
                stored += got.items.map(\.operation)
                page.cursor = got.nextCursor
            } while page.cursor != nil
            #expect(stored.count == old.log.count, "\(context)")
            for (s, o) in zip(stored, old.log) {
                #expect(s.action.type == o.action.type && s.skip == o.skip && s.error == o.error && s.hash == o.hash,
                        "operation \(s.index): \(s.action.type) skip \(s.skip) error \(s.error ?? "-") vs \(o.skip) \(o.error ?? "-") (\(context))")
            }
            #expect(try await reactor.get(id).state[Scope.global] == old.state, "\(context)")
            module.writeCache.removeAll()
            #expect(try await reactor.get(id).state[Scope.global] == old.state, "cold load, \(context)")
        }
    }
}
