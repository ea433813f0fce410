/// A ``DocumentModel`` written with Swift types: a `Codable` state for the `global` scope and one typed handler per
/// action type. The state and inputs are erased to JSON at the boundary.
///
/// ```swift
/// let counter = TypedDocumentModel(documentType: "example/counter", initialState: Counter(value: 0))
///     .on("ADD", input: Amount.self) { state, input, _ in state.value += input.amount }
/// ```
///
/// Input that does not decode fails the job with `INVALID_INPUT` naming the field; an unknown action type fails with
/// `UNKNOWN_ACTION`; an error thrown by a handler is a reducer error recorded on the operation.
///
/// The engine keeps the decoded `State` between actions (``nativeState(from:scope:)``), so an action costs the
/// handler, a copy of what it changes and the state hash, not a decode of the whole state. `State` must round-trip
/// through `Codable`: decoding what it encodes gives an equal value (no properties left out of the encoding that a
/// handler reads), so a document reduced from its decoded state and one loaded from JSON stay identical.
public struct TypedDocumentModel<State: Codable & Sendable>: DocumentModel {
    struct Handler: Sendable {
        let validate: @Sendable (JSONValue) throws -> Void
        let reduce: @Sendable (inout State, JSONValue, Action) throws -> Void
        /// Decodes the input (throwing on malformed input) and returns the reduction to run on a state.
        let prepare: @Sendable (JSONValue, Action) throws -> @Sendable (inout State) throws -> Void
        /// The JSON Schema of the input (``JSONSchemaReflection``), nil for an action without input.
        let inputSchema: JSONValue?
    }

    public let documentType: String
    public let version: Int
    public let scopes: [String]
    private let initial: JSONValue
    private let localInitial: JSONValue
    private let stateSchema: JSONValue
    private var handlers: [String: Handler] = [:]

    /// A model whose `global` state starts as `initialState` and whose `local` state starts as `localState`.
    public init(documentType: String, version: Int = 1, initialState: State, localState: JSONValue = .emptyObject) {
        self.documentType = documentType
        self.version = version
        self.scopes = [Scope.global, Scope.local]
        self.initial = (try? JSONValueCoder.encode(initialState)) ?? .null
        self.localInitial = localState
        self.stateSchema = JSONSchemaReflection.schema(of: State.self)
    }

    /// Adds a handler for actions of `type` whose input decodes as `Input`.
    public func on<Input: Decodable & Sendable>(
        _ type: String, input: Input.Type,
        _ reduce: @escaping @Sendable (inout State, Input, Action) throws -> Void
    ) -> Self {
        var copy = self
        copy.handlers[type] = Handler(
            validate: { json in _ = try Self.decodeInput(Input.self, json) },
            reduce: { state, json, action in try reduce(&state, try Self.decodeInput(Input.self, json), action) },
            prepare: { json, action in
                let input = try Self.decodeInput(Input.self, json)
                return { state in try reduce(&state, input, action) }
            },
            inputSchema: JSONSchemaReflection.schema(of: Input.self))
        return copy
    }

    /// Adds a handler for actions of `type` that take no input.
    public func on(_ type: String, _ reduce: @escaping @Sendable (inout State, Action) throws -> Void) -> Self {
        var copy = self
        copy.handlers[type] = Handler(
            validate: { _ in }, reduce: { state, _, action in try reduce(&state, action) },
            prepare: { _, action in { state in try reduce(&state, action) } }, inputSchema: nil)
        return copy
    }

    /// The action types this model handles.
    public var actionTypes: [String] { handlers.keys.sorted() }

    /// The scopes, the global state's schema and every action's input schema, derived from the Swift types.
    public var modelDescription: ModelDescription {
        ModelDescription(
            documentType: documentType, version: version, scopes: scopes, stateSchemas: [Scope.global: stateSchema],
            actions: actionTypes.map { ActionDescription(type: $0, scope: Scope.global, input: handlers[$0]!.inputSchema) })
    }

    public func initialState(scope: String) -> JSONValue {
        scope == Scope.global ? initial : localInitial
    }

    public func validate(_ action: Action) throws {
        guard action.scope == Scope.global, let handler = handlers[action.type] else {
            throw ReactorError(.unknownAction, "document type '\(documentType)' has no action '\(action.type)' in scope '\(action.scope)'",
                               details: ["actionType": action.type, "scope": action.scope, "path": "actions.type"])
        }
        try handler.validate(action.input)
    }

    public func reduceValidated(state: JSONValue, action: Action) throws -> Result<JSONValue, any Error> {
        guard action.scope == Scope.global, let handler = handlers[action.type] else {
            try validate(action)  // throws the unknown-action error
            return .failure(ReactorError(.internal, "unreachable"))
        }
        let run = try handler.prepare(action.input, action)  // malformed input fails the job
        return Result {
            var typed = try decodeState(state)
            try run(&typed)
            return try JSONValueCoder.encode(typed)
        }
    }

    public func nativeState(from state: JSONValue, scope: String) -> (any NativeState)? {
        guard scope == Scope.global, let typed = try? JSONValueCoder.decode(State.self, from: state) else { return nil }
        return TypedState(value: typed, model: self)
    }

    /// A decoded global state with the model that reduces it.
    struct TypedState: NativeState {
        let value: State
        let model: TypedDocumentModel

        func reduceValidated(_ action: Action) throws -> Result<any NativeState, any Error> {
            guard action.scope == Scope.global, let handler = model.handlers[action.type] else {
                try model.validate(action)  // throws the unknown-action error
                return .failure(ReactorError(.internal, "unreachable"))
            }
            let run = try handler.prepare(action.input, action)  // malformed input fails the job
            return Result {
                var next = value
                try run(&next)
                return TypedState(value: next, model: model)
            }
        }

        func encoded() throws -> JSONValue { try JSONValueCoder.encode(value) }

        func canonicalData() throws -> [UInt8] {
            do {
                return try JSONValueEncoder().canonicalData(value)
            } catch {
                throw ReactorError(.invalidInput, "cannot encode \(State.self) as JSON: \(error)")
            }
        }
    }

    private func decodeState(_ state: JSONValue) throws -> State {
        do {
            return try JSONValueCoder.decode(State.self, from: state)
        } catch {
            throw ReactorError(.internal, "stored state of '\(documentType)' does not decode: \(error)")
        }
    }

    public func reduce(state: JSONValue, action: Action) throws -> JSONValue {
        guard let handler = handlers[action.type] else {
            throw ReactorError(.unknownAction, "document type '\(documentType)' has no action '\(action.type)'")
        }
        var typed: State
        do {
            typed = try JSONValueCoder.decode(State.self, from: state)
        } catch {
            throw ReactorError(.internal, "stored state of '\(documentType)' does not decode: \(error)")
        }
        try handler.reduce(&typed, action.input, action)
        return try JSONValueCoder.encode(typed)
    }

    /// Decodes a typed view of a document's global state.
    public func state(of document: Document) throws -> State {
        try JSONValueCoder.decode(State.self, from: document.state[Scope.global] ?? .null)
    }

    private static func decodeInput<Input: Decodable>(_ type: Input.Type, _ json: JSONValue) throws -> Input {
        do {
            return try JSONValueCoder.decode(type, from: json)
        } catch var error as ReactorError {
            let path = error.details["path"].map { $0 == "$" ? "input" : "input.\($0)" } ?? "input"
            error.details["path"] = path
            error.message = error.message.replacingOccurrences(of: "field '", with: "field 'input.")
            throw error
        }
    }
}

/// A model error with a message, thrown by reducers (recorded on the operation).
public struct ModelError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
