import Foundation

/// A document model registered at run time (a WebAssembly module): what the Reactor store keeps so that every node
/// of a cluster loads the same model. The module's bytes are in the blob store under ``digest``.
///
/// Records are immutable per (``documentType``, ``version``): registering the same pair again with an equal record
/// (``sameDefinition(as:)``) is idempotent, anything else is `MODEL_EXISTS`.
public struct ModelRecord: Sendable, Hashable, Codable {
    /// The document type, e.g. `example/wasm-todo`.
    public var documentType: String
    /// The model version (1 or more).
    public var version: Int
    /// `sha256:<hex>` of the binary module: its key in the blob store.
    public var digest: String
    /// The scopes the model keeps state for, besides `document` (e.g. `["global", "local"]`).
    public var scopes: [String]
    /// The state each scope starts with. A scope without an entry starts as `{}`.
    public var initialState: [String: JSONValue]
    /// The fuel one action may use; nil for the server's default (`[models] fuel_per_action`).
    public var fuelPerAction: UInt64?
    /// When the model was first registered.
    public var createdAt: Date
    /// The actions the model declared (discovery and forms; the module's `reactor_reduce` decides what it accepts).
    public var actions: [ActionDescription]
    /// The JSON Schema of each scope's state, as declared.
    public var stateSchemas: [String: JSONValue]

    /// Creates a record.
    public init(
        documentType: String, version: Int, digest: String, scopes: [String], initialState: [String: JSONValue],
        fuelPerAction: UInt64? = nil, createdAt: Date = Date(), actions: [ActionDescription] = [], stateSchemas: [String: JSONValue] = [:]
    ) {
        self.documentType = documentType
        self.version = version
        self.digest = digest
        self.scopes = scopes
        self.initialState = initialState
        self.fuelPerAction = fuelPerAction
        self.createdAt = createdAt
        self.actions = actions
        self.stateSchemas = stateSchemas
    }

    /// The model's description: its scopes and what it declared.
    public var modelDescription: ModelDescription {
        ModelDescription(documentType: documentType, version: version, scopes: scopes, stateSchemas: stateSchemas, actions: actions)
    }

    /// Whether `other` defines the same model (everything but ``createdAt`` is equal): a second registration of it is
    /// idempotent.
    public func sameDefinition(as other: ModelRecord) -> Bool {
        documentType == other.documentType && version == other.version && digest == other.digest
            && scopes == other.scopes && initialState == other.initialState && fuelPerAction == other.fuelPerAction
            && actions == other.actions && stateSchemas == other.stateSchemas
    }

    /// The state `scope` starts with: ``initialState``'s entry, or `{}`.
    public func initialState(scope: String) -> JSONValue {
        initialState[scope] ?? .emptyObject
    }

    /// The `MODEL_EXISTS` error for registering `self` when `existing` holds its type and version.
    public func conflict(with existing: ModelRecord) -> ReactorError {
        ReactorError(
            .modelExists,
            "model '\(documentType)' version \(version) is registered already with module \(existing.digest); models are immutable per type and version: register a new version",
            details: ["documentType": documentType, "version": String(version), "digest": existing.digest])
    }
}

extension ModelRecord {
    /// The record's scopes, initial states, fuel and declared description as canonical JSON text: what the SQL
    /// adapters store beside the key columns (type, version, digest, creation time). A record without a declared
    /// description stores the same text it did before descriptions existed.
    public var storedDefinition: String {
        var definition: [String: JSONValue] = [
            "scopes": .array(scopes.map { .string($0) }),
            "initialState": .object(initialState),
            "fuelPerAction": fuelPerAction.map { .number(Double($0)) } ?? .null,
        ]
        if !actions.isEmpty { definition["actions"] = .array(actions.map(\.json)) }
        if !stateSchemas.isEmpty { definition["stateSchemas"] = .object(stateSchemas) }
        return JSONValue.object(definition).canonicalString
    }

    /// A record read back from its key columns and ``storedDefinition``.
    public init(documentType: String, version: Int, digest: String, createdAt: Date, storedDefinition: String) throws {
        let definition = try JSONValueCoder.parse(storedDefinition)
        guard let scopes = definition["scopes"]?.arrayValue?.compactMap(\.stringValue),
              let initialState = definition["initialState"]?.objectValue
        else {
            throw ReactorError(.storage, "the stored definition of model '\(documentType)' version \(version) does not decode")
        }
        let actions = try (definition["actions"]?.arrayValue ?? []).enumerated().map { try ActionDescription(json: $1, path: "actions[\($0)]") }
        self.init(
            documentType: documentType, version: version, digest: digest, scopes: scopes, initialState: initialState,
            fuelPerAction: definition["fuelPerAction"]?.doubleValue.map { UInt64($0) }, createdAt: createdAt,
            actions: actions, stateSchemas: definition["stateSchemas"]?.objectValue ?? [:])
    }
}
