import ReactorCore

/// The full-replay `History` as it was before issue 10 (every intermediate state kept): the reference the new
/// checkpointed replay is checked against (`HistoryEquivalenceTests`). Test code only.
///
/// Replay keeps a stack of *effective steps*. An ordinary operation pushes a step (and clears the redo stack);
/// `UNDO` pops the top step onto the redo stack (`skip = 1`); `REDO` pushes the last undone step back;
/// `PRUNE {start}` replaces the steps from `start` with one step that loads the current state (`skip` = the number
/// replaced), and clears the redo stack. Operations with a reducer error change nothing. The state is the fold of the
/// effective steps over the initial state, so a fresh replay of the effective history gives the same state and hash.
struct ReferenceHistory: Sendable {
    /// One effective step (the same as the new history's, so that the two compare).
    typealias Step = History.Step

    /// The result of applying one operation.
    struct Outcome: Sendable {
        var skip: Int
        var error: String?
    }

    private(set) var steps: [Step] = []
    private(set) var redoStack: [Step] = []
    /// `states[k]` is the state after `steps[k]`.
    private var states: [JSONValue] = []
    let initialState: JSONValue
    private let reduce: @Sendable (JSONValue, Action) throws -> JSONValue

    /// A history starting from `initialState`, reducing with `reduce`.
    init(initialState: JSONValue, reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue) {
        self.initialState = initialState
        self.reduce = reduce
    }

    /// The current state.
    var state: JSONValue { states.last ?? initialState }

    /// Replays `operations` in order (their recorded errors are honoured: such operations change nothing).
    mutating func replay(_ operations: [Operation]) throws {
        for op in operations where op.error == nil {
            let outcome = apply(op.action, at: op.index)
            if let error = outcome.error {
                throw ReactorError(.historyError, "replay of operation \(op.index) (\(op.action.type)) failed: \(error)",
                                   details: ["operationId": op.id])
            }
        }
    }

    /// Applies one new action at `index` and reports the skip count and reducer error, if any.
    mutating func apply(_ action: Action, at index: Int) -> Outcome {
        switch action.type {
        case BaseAction.undo:
            if case .load(_, _, true)? = steps.last { return Outcome(skip: 0, error: "nothing to undo before an upgrade") }
            guard let step = steps.popLast() else { return Outcome(skip: 0, error: "nothing to undo") }
            states.removeLast()
            redoStack.append(step)
            return Outcome(skip: 1, error: nil)
        case BaseAction.redo:
            guard let step = redoStack.popLast() else { return Outcome(skip: 0, error: "nothing to redo") }
            do {
                let next = try run(step, on: state)
                steps.append(step)
                states.append(next)
                return Outcome(skip: 0, error: nil)
            } catch {
                redoStack.append(step)
                return Outcome(skip: 0, error: "\(error)")
            }
        case BaseAction.prune:
            let start = action.input["start"]?.intValue ?? 0
            guard start >= 0, start <= steps.count else {
                return Outcome(skip: 0, error: "prune start \(start) is outside the effective history 0...\(steps.count)")
            }
            let current = state
            let removed = steps.count - start
            steps.removeSubrange(start...)
            states.removeSubrange(start...)
            steps.append(.load(index: index, state: current, barrier: false))
            states.append(current)
            redoStack.removeAll()
            return Outcome(skip: removed, error: nil)
        case BaseAction.upgrade:
            do {
                let next = try reduce(state, action)
                steps = [.load(index: index, state: next, barrier: true)]
                states = [next]
                redoStack.removeAll()
                return Outcome(skip: 0, error: nil)
            } catch {
                return Outcome(skip: 0, error: History.describe(error))
            }
        default:
            do {
                let next = try reduce(state, action)
                steps.append(.apply(index: index, action: action))
                states.append(next)
                redoStack.removeAll()
                return Outcome(skip: 0, error: nil)
            } catch {
                return Outcome(skip: 0, error: History.describe(error))
            }
        }
    }

    private func run(_ step: Step, on state: JSONValue) throws -> JSONValue {
        switch step {
        case .apply(_, let action): try reduce(state, action)
        case .load(_, let loaded, _): loaded
        }
    }

    /// Folds the effective steps over the initial state from scratch (the "fresh replay" of the effective history).
    func freshReplay() throws -> JSONValue {
        var s = initialState
        for step in steps { s = try run(step, on: s) }
        return s
    }
}
