/// Replays a stream's operations, honouring undo, redo and prune, to give the state and the effective history.
///
/// Replay keeps a stack of *effective steps*. An ordinary operation pushes a step (and clears the redo stack);
/// `UNDO` pops the top step onto the redo stack (`skip = 1`); `REDO` pushes the last undone step back;
/// `PRUNE {start}` replaces the steps from `start` with one step that loads the current state (`skip` = the number
/// replaced), and clears the redo stack. Operations with a reducer error change nothing. The state is the fold of the
/// effective steps over the initial state, so a fresh replay of the effective history gives the same state and hash.
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
        public var skip: Int
        public var error: String?
    }

    public private(set) var steps: [Step] = []
    public private(set) var redoStack: [Step] = []
    /// `states[k]` is the state after `steps[k]`.
    private var states: [JSONValue] = []
    public let initialState: JSONValue
    private let reduce: @Sendable (JSONValue, Action) throws -> JSONValue

    /// A history starting from `initialState`, reducing with `reduce`.
    public init(initialState: JSONValue, reduce: @escaping @Sendable (JSONValue, Action) throws -> JSONValue) {
        self.initialState = initialState
        self.reduce = reduce
    }

    /// The current state.
    public var state: JSONValue { states.last ?? initialState }

    /// Replays `operations` in order (their recorded errors are honoured: such operations change nothing).
    public mutating func replay(_ operations: [Operation]) throws {
        for op in operations where op.error == nil {
            let outcome = apply(op.action, at: op.index)
            if let error = outcome.error {
                throw ReactorError(.historyError, "replay of operation \(op.index) (\(op.action.type)) failed: \(error)",
                                   details: ["operationId": op.id])
            }
        }
    }

    /// Applies one new action at `index` and reports the skip count and reducer error, if any.
    public mutating func apply(_ action: Action, at index: Int) -> Outcome {
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
                return Outcome(skip: 0, error: Self.describe(error))
            }
        default:
            do {
                let next = try reduce(state, action)
                steps.append(.apply(index: index, action: action))
                states.append(next)
                redoStack.removeAll()
                return Outcome(skip: 0, error: nil)
            } catch {
                return Outcome(skip: 0, error: Self.describe(error))
            }
        }
    }

    private func run(_ step: Step, on state: JSONValue) throws -> JSONValue {
        switch step {
        case .apply(_, let action): try reduce(state, action)
        case .load(_, let loaded, _): loaded
        }
    }

    /// A reducer error's text as stored on the operation.
    public static func describe(_ error: any Error) -> String {
        if let e = error as? ReactorError { return e.message }
        return String(describing: error)
    }

    /// Folds the effective steps over the initial state from scratch (the "fresh replay" of the effective history).
    public func freshReplay() throws -> JSONValue {
        var s = initialState
        for step in steps { s = try run(step, on: s) }
        return s
    }
}
