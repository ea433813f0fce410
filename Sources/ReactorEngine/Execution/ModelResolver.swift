import ReactorCore
import Synchronization

/// Finds the model of a document type: registered models first, then the optional loader (results cached).
public final class ModelResolver: Sendable {
    private let registry: Mutex<ModelRegistry>
    private let loader: (any DocumentModelLoader)?

    public init(registry: ModelRegistry, loader: (any DocumentModelLoader)? = nil) {
        self.registry = Mutex(registry)
        self.loader = loader
    }

    /// The model for `documentType` at `version` (newest when nil). Throws `UNKNOWN_DOCUMENT_TYPE`.
    public func model(_ documentType: String, version: Int? = nil) async throws -> any DocumentModel {
        if let m = registry.withLock({ $0.model(documentType, version: version) }) { return m }
        if let loader, let m = try await loader.loadModel(documentType: documentType, version: version) {
            register(m)
            // A model that upgrades from an earlier version needs that version's step too, for replays of upgrades.
            if let from = (m as? any SelfUpgradingModel)?.upgradeManifest?.fromVersion,
               registry.withLock({ $0.model(documentType, version: from) == nil }) {
                _ = try? await model(documentType, version: from)
            }
            return m
        }
        let v = version.map { " version \($0)" } ?? ""
        throw ReactorError(.unknownDocumentType, "no model for document type '\(documentType)'\(v)",
                           details: ["documentType": documentType])
    }

    /// Registers `model` now (replacing a cached model of the same type and version), with its own upgrade step when it
    /// brings one (``SelfUpgradingModel``): what a node does with a model it has just registered at run time, so that
    /// it does not wait for the loader.
    public func register(_ model: any DocumentModel) {
        registry.withLock { registry in
            registry.register(model)
            if let step = (model as? any SelfUpgradingModel)?.upgradeManifest { registry.register(step) }
        }
    }

    /// Whether `documentType` has a model registered up front or loaded so far (without asking the loader).
    public func isKnown(_ documentType: String) -> Bool {
        registry.withLock { $0.model(documentType) != nil }
    }

    /// The document types and versions registered up front or loaded so far.
    public var knownModels: [any DocumentModel] {
        registry.withLock { $0.allModels }
    }

    /// The upgrade steps from `from` to `to`, in order. Throws when a step is missing.
    public func upgradePath(_ documentType: String, from: Int, to: Int) throws -> [UpgradeManifest] {
        guard to > from else {
            throw ReactorError.invalidInput("cannot upgrade '\(documentType)' from version \(from) to \(to)", path: "input.toVersion")
        }
        return try registry.withLock { r in
            var path: [UpgradeManifest] = []
            var v = from
            while v < to {
                guard let m = r.manifest(documentType, from: v), m.toVersion > v, m.toVersion <= to else {
                    throw ReactorError.invalidInput("no upgrade manifest for '\(documentType)' from version \(v)", path: "input.toVersion")
                }
                path.append(m)
                v = m.toVersion
            }
            return path
        }
    }

    /// The reducer of one model scope: the model's reducer, plus the upgrade transform for `UPGRADE_DOCUMENT`.
    func scopeReducer(_ model: any DocumentModel, scope: String) -> @Sendable (JSONValue, Action) throws -> JSONValue {
        { [self] state, action in
            if action.type == BaseAction.upgrade {
                let from = action.input["fromVersion"]?.intValue ?? 0
                let to = action.input["toVersion"]?.intValue ?? 0
                var s = state
                for step in try upgradePath(model.documentType, from: from, to: to) { s = try step.transform(scope, s) }
                return s
            }
            return try model.reduce(state: state, action: action)
        }
    }
}
