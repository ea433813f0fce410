import ReactorCore
import ReactorTesting
import Synchronization
import Testing

/// The checkpointed ``History`` against the full-replay ``ReferenceHistory`` it replaced: random sequences of
/// actions, undo, redo, prune (valid and not) and upgrades give the same outcomes, states, steps and redo stacks, in
/// memory and after a restore from the operation log; and it keeps few states.
@Suite(.timeLimit(.minutes(2))) struct HistoryReplayTests {
    /// A random action for a history of `steps` effective steps.
    static func randomAction(_ rng: inout SplitMix64, steps: Int, upgrades: inout Int) -> Action {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<40: return Stack.push(Int.random(in: 1...9, using: &rng))
        case 40..<48: return Stack.pop()
        case 48..<72: return Action(type: BaseAction.undo)
        case 72..<86: return Action(type: BaseAction.redo)
        case 86..<96:
            let start = Int.random(in: -1...(steps + 1), using: &rng)
            return start == 0 && Bool.random(using: &rng) ? Action(type: BaseAction.prune) : Action(type: BaseAction.prune, input: ["start": .number(Double(start))])
        default:
            upgrades += 1
            return Action(type: BaseAction.upgrade, input: ["fromVersion": .number(Double(upgrades)), "toVersion": .number(Double(upgrades + 1))])
        }
    }

    static func expectSame(_ new: History, _ old: ReferenceHistory, _ context: @autoclosure () -> String) {
        #expect(new.state == old.state, "state \(context())")
        #expect(new.steps == old.steps, "steps \(context())")
        #expect(new.redoStack == old.redoStack, "redo stack \(context())")
    }

    @Test(arguments: [1, 2, 3, 5, 64])
    func sameAsFullReplay(checkpointInterval: Int) throws {
        for seed in UInt64(1)...6 {
            var rng = SplitMix64(seed: seed &* 7919 &+ UInt64(checkpointInterval))
            var old = ReferenceHistory(initialState: Stack.initialState, reduce: Stack.reduce)
            var new = History(initialState: Stack.initialState, checkpointInterval: checkpointInterval, reduce: Stack.reduce)
            var log: [Operation] = []
            var after: [JSONValue] = []  // the stored state after each operation (what keyframes hold)
            var upgrades = 0
            for index in 0..<400 {
                let action = Self.randomAction(&rng, steps: old.steps.count, upgrades: &upgrades)
                let o = old.apply(action, at: index)
                let n = try new.apply(action, at: index)
                #expect(n.skip == o.skip && n.error == o.error, "outcome of \(action.type) at \(index), seed \(seed)")
                Self.expectSame(new, old, "at \(index), seed \(seed)")
                log.append(Operation(id: "op\(index)", index: index, skip: o.skip, timestamp: 0, hash: StateHash.of(old.state),
                                     action: action, error: o.error))
                after.append(old.state)
                if index % 23 == 22 {
                    try Self.restoreAndContinue(log: log, after: after, old: old, checkpointInterval: checkpointInterval,
                                                rng: &rng, upgrades: upgrades, context: "seed \(seed), index \(index)")
                }
            }
            #expect(try new.freshReplay() == old.state)
        }
    }

    /// Restores a history from `log` (no reductions), checks it equals `old`, then applies the same random actions
    /// to both, giving the restored one the stored states it asks for before each undo.
    static func restoreAndContinue(
        log: [Operation], after: [JSONValue], old: ReferenceHistory, checkpointInterval: Int, rng: inout SplitMix64, upgrades: Int, context: String
    ) throws {
        var restored = History(initialState: Stack.initialState, checkpointInterval: checkpointInterval, reduce: Stack.reduce)
        let missing = try restored.restore(log, state: old.state)
        restored.resolveLoads(Dictionary(uniqueKeysWithValues: missing.map { ($0, after[$0]) }))
        #expect(restored.reductions == 0, "a restore reduces nothing (\(context))")
        expectSame(restored, old, "after restore, \(context)")
        var old = old
        var after = after
        var upgrades = upgrades
        for k in 0..<30 {
            let index = log.count + k
            let action = randomAction(&rng, steps: old.steps.count, upgrades: &upgrades)
            if action.type == BaseAction.undo, case .after(let needed)? = restored.stateNeededForUndo {
                #expect(needed < after.count)
                restored.provideState(after[needed], afterOperation: needed)
            }
            let o = old.apply(action, at: index)
            let n = try restored.apply(action, at: index)
            #expect(n.skip == o.skip && n.error == o.error, "outcome of \(action.type) after restore, \(context) + \(k)")
            expectSame(restored, old, "after restore, \(context) + \(k)")
            after.append(old.state)
        }
    }

    @Test func keepsAStateOnlyEveryCheckpointInterval() throws {
        var history = History(initialState: Stack.initialState, checkpointInterval: 16, reduce: Stack.reduce)
        for i in 0..<1_000 { _ = try history.apply(Stack.push(i), at: i) }
        #expect(history.keptStates <= 1_000 / 16 + 1)
        let before = history.reductions
        // Undo down to the bottom: each undo folds at most 16 steps, and the kept states stay few.
        for i in 0..<1_000 {
            #expect(history.stateNeededForUndo == nil, "an in-memory history needs no stored state")
            let outcome = try history.apply(Action(type: BaseAction.undo), at: 1_000 + i)
            #expect(outcome.error == nil)
            #expect(history.keptStates <= 1_000 / 16 + 2)
        }
        #expect(history.state == Stack.initialState)
        #expect(history.reductions - before <= 1_000 * 16)
    }

    @Test func interruptStopsAReplay() throws {
        struct Stop: Error {}
        let log = (0..<100).map { Operation(id: "op\($0)", index: $0, timestamp: 0, hash: "", action: Stack.push($0)) }
        var history = History(initialState: Stack.initialState, reduce: Stack.reduce)
        let calls = Counter()
        history.interrupt = { if calls.next() > 10 { throw Stop() } }
        #expect(throws: Stop.self) { try history.replay(log) }
        #expect(history.reductions == 10)
        // An interruption is not a reducer error: apply throws it rather than recording it.
        #expect(throws: Stop.self) { _ = try history.apply(Stack.push(1), at: 100) }
    }

    /// A counter shared with a `@Sendable` closure.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }
}
