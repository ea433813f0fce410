/// A document model: the typed state and reducer of one document type, erased to JSON at the engine boundary.
///
/// The engine calls ``validate(_:)`` before reducing: an error thrown there (unknown action, malformed input) fails
/// the whole job and nothing is written. An error thrown by ``reduce(state:action:)`` is a *reducer error*: the
/// operation is still stored, with the error recorded and the state unchanged, and the job succeeds.
///
/// Reducers must be deterministic: the same state and action always give the same result.
public protocol DocumentModel: Sendable {
    /// The document type, e.g. `reactor/todo-list`.
    var documentType: String { get }
    /// The model version. Documents record the version they were created with.
    var version: Int { get }
    /// The scopes this model keeps state for, besides the system `document` scope. Usually `global` and `local`.
    var scopes: [String] { get }
    /// The state a new document starts with in `scope`.
    func initialState(scope: String) -> JSONValue
    /// Checks that the model knows `action` and that its input is well formed, without touching state.
    /// Throws a ``ReactorError`` with code `UNKNOWN_ACTION` or `INVALID_INPUT`.
    func validate(_ action: Action) throws
    /// Reduces `action` on `state` and returns the new state.
    func reduce(state: JSONValue, action: Action) throws -> JSONValue
    /// Validates and reduces in one step: a thrown error is a validation failure (the job fails), a `.failure`
    /// result a reducer error (recorded on the operation). The default calls ``validate(_:)`` then
    /// ``reduce(state:action:)``; models override it to decode their input once.
    func reduceValidated(state: JSONValue, action: Action) throws -> Result<JSONValue, any Error>
    /// The state of `scope` in the model's own representation, kept by the engine between actions (see
    /// ``NativeState``), or nil when the model reduces JSON (the default) or `state` does not decode (the engine then
    /// reduces the JSON, which reports the problem).
    func nativeState(from state: JSONValue, scope: String) -> (any NativeState)?
    /// What the model says about itself (scopes, state schemas, actions and their input schemas) for discovery and
    /// generated forms. The default describes the scopes only.
    var modelDescription: ModelDescription { get }
}

extension DocumentModel {
    public var scopes: [String] { [Scope.global, Scope.local] }

    /// The default: ``validate(_:)`` then ``reduce(state:action:)``.
    public func reduceValidated(state: JSONValue, action: Action) throws -> Result<JSONValue, any Error> {
        try validate(action)
        return Result { try reduce(state: state, action: action) }
    }

    /// The default: no native representation, the engine reduces JSON.
    public func nativeState(from state: JSONValue, scope: String) -> (any NativeState)? { nil }

    /// The default: the type, version and scopes, without schemas or actions.
    public var modelDescription: ModelDescription {
        ModelDescription(documentType: documentType, version: version, scopes: scopes)
    }
}

/// Changes a document's state from one model version to the next: registered with the reactor and applied by the
/// `UPGRADE_DOCUMENT` system action.
public struct UpgradeManifest: Sendable {
    public var documentType: String
    public var fromVersion: Int
    public var toVersion: Int
    /// Transforms one scope's state (scope name, old state) to the new model's shape.
    public var transform: @Sendable (String, JSONValue) throws -> JSONValue

    public init(
        documentType: String, fromVersion: Int, toVersion: Int,
        transform: @escaping @Sendable (String, JSONValue) throws -> JSONValue
    ) {
        self.documentType = documentType
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.transform = transform
    }
}

/// Finds models that were not registered up front (e.g. loaded from a package directory).
public protocol DocumentModelLoader: Sendable {
    /// The model for `documentType` (newest version when `version` is nil), or nil when unknown.
    func loadModel(documentType: String, version: Int?) async throws -> (any DocumentModel)?
}

/// A model that brings the upgrade step into its own version (a WASM model exporting `reactor_upgrade`): the engine
/// registers ``upgradeManifest`` with the model, so `UPGRADE_DOCUMENT` to this version works on every node that
/// loads it.
public protocol SelfUpgradingModel: DocumentModel {
    /// The step from an earlier version to this one, or nil.
    var upgradeManifest: UpgradeManifest? { get }
}
