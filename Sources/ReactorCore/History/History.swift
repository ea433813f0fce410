/// Replays a stream's operations, honouring undo, redo and prune, to give the state and the effective history.
///
/// Replay keeps a stack of *effective steps*. An ordinary operation pushes a step (and clears the redo stack);
/// `UNDO` pops the top step onto the redo stack (`skip = 1`); `REDO` pushes the last undone step back;
/// `PRUNE {start}` replaces the steps from `start` with one step that loads the current state (`skip` = the number
/// replaced), and clears the redo stack. Operations with a reducer error change nothing. The state is the fold of the
/// effective steps over the initial state, so a fresh replay of the effective history gives the same state and hash.
///
/// **What is kept.** Not every intermediate state: the current state, the state of every load step (it is the
/// step), and a *checkpoint* state so that every step has a known state at most ``checkpointInterval`` steps below it
/// (or the initial state). Memory is O(state × steps / checkpointInterval + steps). An `UNDO` pops the top step and
/// recomputes the state of the new top by folding the steps above the nearest known state: at most
/// ``checkpointInterval`` reductions.
///
/// **Restored histories.** ``restore(_:state:loadStates:)`` rebuilds the steps from stored operations without reducing
/// anything (the operation log says what each step was; the stream's current state is given). Its steps carry no
/// states, but each knows its *origin*: the operation after which the stream's stored state is the state after the
/// step (the operation that pushed it). Before an `UNDO` the caller asks ``stateNeededForUndo`` and hands the stored
/// state after that operation to ``provideState(_:afterOperation:)`` (the engine reads it from the nearest keyframe
/// and the few ordinary operations after it); without it the history folds from the nearest state it knows, which is
/// correct but may take as many reductions as the history is long.
///
/// **Stopping.** ``interrupt`` is called before every reduction; whatever it throws ends the replay (the engine
/// throws `JOB_TIMEOUT` once the job has timed out), so a long replay never runs past its job.
public struct History: Sendable {
    /// One effective step.
    public enum Step: Sendable, Hashable {
        /// Apply this action (an ordinary operation, or the original of a redone one), recorded at `index`.
        case apply(index: Int, action: Action)
        /// Replace the state (a prune, or an upgrade when `barrier`), recorded at `index`. Undo never crosses a
        /// barrier.
        case load(index: Int, state: JSONValue, barrier: Bool)
    }

    /// The result of applying one operation.
    public struct Outcome: Sendable {
        /// How many effective steps the operation removed (undo: 1, prune: the collapsed steps).
        public var skip: Int
        /// The reducer's (or the history's) error, recorded on the operation; the state is then unchanged.
        public var error: String?
    }

    /// One effective step, the operation whose resulting state is the state after it, and that state when kept.
    struct Entry: Sendable {
        var step: Step
        /// The operation that pushed the step (an ordinary operation, a redo, a prune, an upgrade): the stream's state
        /// after it is the state after this step, as long as the step is on the stack.
        var origin: Int
        /// The state after this step, when kept (a checkpoint, or a state the caller provided).
        var state: JSONValue?

        /// The state after this step when it is known without reducing.
        var known: JSONValue? {
            if case .load(_, let loaded, _) = step { return loaded }
            return state
        }
    }

    /// The default ``checkpointInterval``.
    public static let defaultCheckpointInterval = 64

    private var entries: [Entry] = []
    /// Steps undone and not yet redone (the next redo takes the last).
    public private(set) var redoStack: [Step] = []
    /// The current state: the fold of ``steps`` over ``initialState``.
    public private(set) var state: JSONValue
    /// The state before the first step (a placeholder while ``initialStateUnknownBefore`` is set).
    public private(set) var initialState: JSONValue
    /// Set while the initial state is not known: a history restored from a `PRUNE` from 0 on reads nothing before
    /// that prune, and its initial state is the state of the last upgrade before operation `initialStateUnknownBefore`
    /// (or the stream's initial state). Only an undo past the prune's load step needs it (see ``stateNeededForUndo``).
    public private(set) var initialStateUnknownBefore: Int?
    /// The most steps between a step and the nearest state the history keeps below it (so the most reductions one
    /// `UNDO` costs once its history is in memory).
    public let checkpointInterval: Int
    /// Reductions this history made (replays, redos, folds after an undo).
    public private(set) var reductions = 0
    /// Called before every reduction; an error it throws ends the replay (and is rethrown by ``apply(_:at:)`` and
    /// ``replay(_:)``). The engine stops a timed-out job's replay with it.
    public var interrupt: (@Sendable () throws -> Void)?
    private let reduce: @Sendable (JSONValue, Action) throws -> JSONValue

    /// A history starting from `initialState`, reducing with `reduce`, keeping a state every `checkpointInterval` steps.
    public init(
        initialState: JSONValue, checkpointInterval: Int = History.defaultCheckpointInterval,
        reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue
    ) {
        self.initialState = initialState
        self.state = initialState
        self.checkpointInterval = max(1, checkpointInterval)
        self.reduce = reduce
    }

    /// The effective steps, oldest first.
    public var steps: [Step] { entries.map(\.step) }

    /// How many effective steps there are.
    public var stepCount: Int { entries.count }

    /// How many states the history keeps besides the current and initial ones (checkpoints and load steps).
    public var keptStates: Int { entries.count(where: { $0.known != nil }) }

    /// Replays `operations` in order (their recorded errors are honoured: such operations change nothing).
    public mutating func replay(_ operations: [Operation]) throws {
        for op in operations where op.error == nil {
            let outcome = try apply(op.action, at: op.index)
            if let error = outcome.error {
                throw Self.doesNotReplay(op, error)
            }
        }
    }

    /// Applies one new action at `index` and reports the skip count and reducer error, if any. Throws only what
    /// ``interrupt`` throws, or `HISTORY_ERROR` when an undo's recomputation fails (a reducer that is not
    /// deterministic).
    public mutating func apply(_ action: Action, at index: Int) throws -> Outcome {
        switch action.type {
        case BaseAction.undo:
            if case .load(_, _, true)? = entries.last?.step { return Outcome(skip: 0, error: "nothing to undo before an upgrade") }
            guard let top = entries.popLast() else { return Outcome(skip: 0, error: "nothing to undo") }
            redoStack.append(top.step)
            state = try stateAfter(entries.count - 1)
            return Outcome(skip: 1, error: nil)
        case BaseAction.redo:
            guard let step = redoStack.popLast() else { return Outcome(skip: 0, error: "nothing to redo") }
            do {
                let next = try run(step, on: state)
                push(step, origin: index, state: next)
                return Outcome(skip: 0, error: nil)
            } catch let error as Interrupted {
                throw error.underlying
            } catch {
                redoStack.append(step)
                return Outcome(skip: 0, error: "\(error)")
            }
        case BaseAction.prune:
            let start = action.input["start"]?.intValue ?? 0
            guard start >= 0, start <= entries.count else {
                return Outcome(skip: 0, error: "prune start \(start) is outside the effective history 0...\(entries.count)")
            }
            let current = state
            let removed = entries.count - start
            entries.removeSubrange(start...)
            push(.load(index: index, state: current, barrier: false), origin: index, state: current)
            redoStack.removeAll()
            return Outcome(skip: removed, error: nil)
        case BaseAction.upgrade:
            do {
                let next = try reduced(state, action)
                entries = [Entry(step: .load(index: index, state: next, barrier: true), origin: index)]
                state = next
                redoStack.removeAll()
                return Outcome(skip: 0, error: nil)
            } catch let error as Interrupted {
                throw error.underlying
            } catch {
                return Outcome(skip: 0, error: Self.describe(error))
            }
        default:
            do {
                let next = try reduced(state, action)
                push(.apply(index: index, action: action), origin: index, state: next)
                redoStack.removeAll()
                return Outcome(skip: 0, error: nil)
            } catch let error as Interrupted {
                throw error.underlying
            } catch {
                return Outcome(skip: 0, error: Self.describe(error))
            }
        }
    }

    // MARK: Restoring from the operation log

    /// Rebuilds the effective history from stored `operations` without reducing: the steps and the redo stack follow
    /// from the log alone (ordinary operations push, `UNDO` pops, `REDO` pushes back, `PRUNE` collapses, an upgrade
    /// resets). `state` is the stream's state after the last of them. A load step's state is the stored state after
    /// its operation (every successful undo, redo, prune and upgrade stores a keyframe): give those in `loadStates`
    /// by operation index.
    ///
    /// - Returns: the indices of load steps still on the stacks whose state `loadStates` did not have (their steps
    ///   hold `null` until ``resolveLoads(_:)`` gives them).
    /// - Throws: `HISTORY_ERROR` when a successful operation of the log cannot be replayed (the log is inconsistent).
    public mutating func restore(_ operations: [Operation], state: JSONValue, loadStates: [Int: JSONValue] = [:]) throws -> Set<Int> {
        var missing = Set<Int>()
        func loaded(_ index: Int) -> JSONValue {
            if let s = loadStates[index] { return s }
            missing.insert(index)
            return .null
        }
        for op in operations where op.error == nil {
            switch op.action.type {
            case BaseAction.undo:
                if case .load(_, _, true)? = entries.last?.step { throw Self.doesNotReplay(op, "nothing to undo before an upgrade") }
                guard let top = entries.popLast() else { throw Self.doesNotReplay(op, "nothing to undo") }
                redoStack.append(top.step)
            case BaseAction.redo:
                guard let step = redoStack.popLast() else { throw Self.doesNotReplay(op, "nothing to redo") }
                entries.append(Entry(step: step, origin: op.index))
            case BaseAction.prune:
                let start = op.action.input["start"]?.intValue ?? 0
                guard start >= 0, start <= entries.count else { throw Self.doesNotReplay(op, "prune start \(start) is outside the effective history") }
                entries.removeSubrange(start...)
                entries.append(Entry(step: .load(index: op.index, state: loaded(op.index), barrier: false), origin: op.index))
                redoStack.removeAll()
            case BaseAction.upgrade:
                entries = [Entry(step: .load(index: op.index, state: loaded(op.index), barrier: true), origin: op.index)]
                redoStack.removeAll()
            default:
                entries.append(Entry(step: .apply(index: op.index, action: op.action), origin: op.index))
                redoStack.removeAll()
            }
        }
        self.state = state
        return missing.filter { index in
            entries.contains { $0.step.loadIndex == index } || redoStack.contains { $0.loadIndex == index }
        }
    }

    /// Gives load steps restored without their state (``restore(_:state:loadStates:)``) their state, by operation index.
    public mutating func resolveLoads(_ states: [Int: JSONValue]) {
        func resolved(_ step: Step) -> Step {
            guard case .load(let index, _, let barrier) = step, let s = states[index] else { return step }
            return .load(index: index, state: s, barrier: barrier)
        }
        for i in entries.indices { entries[i].step = resolved(entries[i].step) }
        for i in redoStack.indices { redoStack[i] = resolved(redoStack[i]) }
    }

    /// A state an `UNDO` needs from outside the history (``stateNeededForUndo``).
    public enum StateNeed: Sendable, Hashable {
        /// The stored state after this operation (the origin of the step the undo returns to): give it with
        /// ``provideState(_:afterOperation:)``.
        case after(operation: Int)
        /// The initial state, unknown since the history was restored from a `PRUNE` from 0 on: the state of the
        /// last upgrade before this operation, or the stream's initial state. Give it with ``provideInitialState(_:)``.
        case initial(before: Int)
    }

    /// What an `UNDO` applied now needs from outside: the stored state of the step it returns to when this history
    /// knows no state within ``checkpointInterval`` steps below it, or the initial state when it is unknown and the
    /// undo returns to it. Nil when the undo needs nothing (it folds at most ``checkpointInterval`` steps, or fails).
    public var stateNeededForUndo: StateNeed? {
        guard let last = entries.last else { return nil }
        if case .load(_, _, true) = last.step { return nil }
        let target = entries.count - 2
        guard target >= 0 else { return initialStateUnknownBefore.map { .initial(before: $0) } }
        if nearestKnown(atOrBelow: target, within: checkpointInterval) != nil { return nil }
        return .after(operation: entries[target].origin)
    }

    /// Marks the initial state unknown: it is the state of the last upgrade before operation `index`, or the stream's
    /// initial state (for a history restored from the `PRUNE` from 0 at `index` on).
    public mutating func forgetInitialState(before index: Int) {
        initialStateUnknownBefore = index
    }

    /// Gives the initial state a history restored from a `PRUNE` from 0 on did not know (see ``StateNeed/initial(before:)``).
    public mutating func provideInitialState(_ state: JSONValue) {
        initialState = state
        initialStateUnknownBefore = nil
    }

    /// Records `state` as the state after the step pushed by operation `origin` (the stored state after that
    /// operation, see ``stateNeededForUndo``). Returns false when no effective step has that origin.
    @discardableResult
    public mutating func provideState(_ state: JSONValue, afterOperation origin: Int) -> Bool {
        guard let i = entries.lastIndex(where: { $0.origin == origin }) else { return false }
        if entries[i].known == nil { entries[i].state = state }
        return true
    }

    // MARK: Folding

    /// Pushes a step whose resulting state is `next`, keeping `next` when no state is known within
    /// ``checkpointInterval`` steps below.
    private mutating func push(_ step: Step, origin: Int, state next: JSONValue) {
        let position = entries.count
        var entry = Entry(step: step, origin: origin)
        if entry.known == nil, nearestKnown(atOrBelow: position - 1, within: checkpointInterval - 1) == nil {
            entry.state = next
        }
        entries.append(entry)
        state = next
    }

    /// The highest position in `position - within...position` whose state is known (-1: the initial state, when
    /// known).
    private func nearestKnown(atOrBelow position: Int, within: Int) -> Int? {
        var j = position
        while j >= 0, j >= position - within {
            if entries[j].known != nil { return j }
            j -= 1
        }
        return j == -1 && position - within <= -1 && initialStateUnknownBefore == nil ? -1 : nil
    }

    /// The state after the step at `position` (-1: the initial state), folded from the nearest known state below it.
    /// Keeps states on the way so that every step again has a known state within ``checkpointInterval`` below it.
    private mutating func stateAfter(_ position: Int) throws -> JSONValue {
        guard position >= 0 else { return try knownInitialState() }
        if let known = entries[position].known { return known }
        var from = position - 1
        while from >= 0, entries[from].known == nil { from -= 1 }
        var s = from < 0 ? try knownInitialState() : entries[from].known!
        var lastKnown = from
        for p in (from + 1)...position {
            do {
                s = try run(entries[p].step, on: s)
            } catch let error as Interrupted {
                throw error.underlying
            } catch {
                throw ReactorError(.historyError, "recomputing the state after operation \(entries[p].origin) failed: \(Self.describe(error)) (the reducer is not deterministic)",
                                   details: ["index": String(entries[p].origin)])
            }
            if p < position, p - lastKnown > checkpointInterval - 1 {
                entries[p].state = s
                lastKnown = p
            }
        }
        return s
    }

    private func knownInitialState() throws -> JSONValue {
        guard let before = initialStateUnknownBefore else { return initialState }
        throw ReactorError(.internal, "undo needs the state before the prune at \(before), which was not given")
    }

    /// An error ``interrupt`` threw, told apart from reducer errors.
    private struct Interrupted: Error {
        var underlying: any Error
    }

    /// One reduction, after asking ``interrupt``.
    private mutating func reduced(_ state: JSONValue, _ action: Action) throws -> JSONValue {
        if let interrupt {
            do { try interrupt() } catch { throw Interrupted(underlying: error) }
        }
        reductions += 1
        return try reduce(state, action)
    }

    private mutating func run(_ step: Step, on state: JSONValue) throws -> JSONValue {
        switch step {
        case .apply(_, let action): try reduced(state, action)
        case .load(_, let loaded, _): loaded
        }
    }

    private static func doesNotReplay(_ op: Operation, _ error: String) -> ReactorError {
        ReactorError(.historyError, "replay of operation \(op.index) (\(op.action.type)) failed: \(error)", details: ["operationId": op.id])
    }

    /// A reducer error's text as stored on the operation.
    public static func describe(_ error: any Error) -> String {
        if let e = error as? ReactorError { return e.message }
        return String(describing: error)
    }

    /// Folds the effective steps over the initial state from scratch (the "fresh replay" of the effective history).
    public func freshReplay() throws -> JSONValue {
        var s = initialState
        for step in steps {
            switch step {
            case .apply(_, let action): s = try reduce(s, action)
            case .load(_, let loaded, _): s = loaded
            }
        }
        return s
    }
}

extension History.Step {
    /// The operation index of a load step (nil for an apply step).
    var loadIndex: Int? {
        if case .load(let index, _, _) = self { return index }
        return nil
    }
}
