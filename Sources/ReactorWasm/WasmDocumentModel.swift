import ReactorCore

/// A ``DocumentModel`` whose reducer is a WebAssembly module (``WasmReducer``): registered at run time from a
/// ``ModelRecord`` and the module's bytes, and used by the engine exactly like a Swift model (undo, redo, prune,
/// keyframes, sync).
///
/// Every action is reduced in a fresh instance of the module with ``limits``. The module's answer decides:
/// `{"state": …}` is the new state; `{"error": "…"}`, a trap, running out of fuel or memory are reducer errors
/// (recorded on the operation, the state unchanged, the job succeeds); `{"invalid": …}` is a validation error
/// (`INVALID_INPUT` or `UNKNOWN_ACTION`: the job fails and nothing is written).
///
/// ``validate(_:)`` has no state to give the module: it reduces the action on the scope's initial state and keeps
/// only a validation error. The ABI therefore asks that a module decide "invalid" from the action alone (as Swift
/// models do: their validation is decoding the input), and errors that depend on the state be reducer errors.
public struct WasmDocumentModel: SelfUpgradingModel {
    public let documentType: String
    public let version: Int
    public let scopes: [String]
    /// The registration this model was made from.
    public let record: ModelRecord
    /// The compiled module.
    public let reducer: WasmReducer
    /// What one action may use.
    public let limits: WasmReducer.Limits

    /// The model of `record` reducing with `reducer`. `defaultFuel` applies when the record names no fuel. Throws
    /// `MODEL_INVALID` when the record's digest is not the module's.
    public init(record: ModelRecord, reducer: WasmReducer, defaultFuel: UInt64 = WasmReducer.Limits.defaultFuel, maxMemoryBytes: Int = 64 << 20) throws {
        guard record.digest == reducer.digest else {
            throw ReactorError.modelInvalid("model '\(record.documentType)' version \(record.version) names module \(record.digest), not \(reducer.digest)")
        }
        self.documentType = record.documentType
        self.version = record.version
        self.scopes = record.scopes
        self.record = record
        self.reducer = reducer
        self.limits = WasmReducer.Limits(fuel: record.fuelPerAction ?? defaultFuel, maxMemoryBytes: maxMemoryBytes)
    }

    public func initialState(scope: String) -> JSONValue {
        record.initialState(scope: scope)
    }

    /// What the registration declared (``ModelRecord/modelDescription``).
    public var modelDescription: ModelDescription { record.modelDescription }

    public func validate(_ action: Action) throws {
        if case .invalid(let error) = run(state: initialState(scope: action.scope).canonicalData, action: action) { throw error }
    }

    public func reduce(state: JSONValue, action: Action) throws -> JSONValue {
        switch run(state: state.canonicalData, action: action) {
        case .state(let next): return next
        case .failed(let message): throw ModelError(message)
        case .invalid(let error): throw error
        }
    }

    public func reduceValidated(state: JSONValue, action: Action) throws -> Result<JSONValue, any Error> {
        switch run(state: state.canonicalData, action: action) {
        case .state(let next): return .success(next)
        case .failed(let message): return .failure(ModelError(message))
        case .invalid(let error): throw error
        }
    }

    public func nativeState(from state: JSONValue, scope: String) -> (any NativeState)? {
        WasmModelState(json: state, canonical: state.canonicalData, model: self)
    }

    /// The step from version `version - 1` when the module exports `reactor_upgrade`: it transforms each scope's state
    /// (an `{"error": …}` or a failure of the module fails the upgrade).
    public var upgradeManifest: UpgradeManifest? {
        guard reducer.upgrades, version > 1 else { return nil }
        let reducer = reducer
        let limits = limits
        let documentType = documentType
        let version = version
        return UpgradeManifest(documentType: documentType, fromVersion: version - 1, toVersion: version) { scope, state in
            switch reducer.upgrade(state: state.canonicalData, scope: scope, fromVersion: version - 1, limits: limits) {
            case .state(let next): return next
            case .failed(let message): throw ModelError("upgrading '\(documentType)' to version \(version) failed: \(message)")
            case .invalid(let error): throw error
            }
        }
    }

    /// Reduces `action` on the canonical bytes of a state.
    func run(state: [UInt8], action: Action) -> WasmReducer.Outcome {
        reducer.reduce(state: state, action: Self.actionJSON(action), limits: limits)
    }

    /// What the module receives for `action`: the canonical JSON of `{"id", "input", "scope", "timestamp", "type"}`
    /// (the signer and signatures stay out).
    static func actionJSON(_ action: Action) -> [UInt8] {
        JSONValue.object([
            "id": .string(action.id), "type": .string(action.type), "scope": .string(action.scope), "input": action.input,
            "timestamp": .number(Double(action.timestamp)),
        ]).canonicalData
    }
}

/// A WASM model's scope state between actions: its JSON and canonical bytes, so that an action hands the module the
/// bytes without encoding the state again, and the state hash is computed over the bytes the next action will use.
struct WasmModelState: NativeState {
    let json: JSONValue
    let canonical: [UInt8]
    let model: WasmDocumentModel

    func reduceValidated(_ action: Action) throws -> Result<any NativeState, any Error> {
        switch model.run(state: canonical, action: action) {
        case .state(let next): return .success(WasmModelState(json: next, canonical: next.canonicalData, model: model))
        case .failed(let message): return .failure(ModelError(message))
        case .invalid(let error): throw error
        }
    }

    func encoded() throws -> JSONValue { json }

    func canonicalData() throws -> [UInt8] { canonical }
}
