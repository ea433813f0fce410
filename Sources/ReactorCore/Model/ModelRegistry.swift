/// The models a reactor knows, by type and version.
public struct ModelRegistry: Sendable {
    private var models: [String: [Int: any DocumentModel]] = [:]
    private var manifests: [String: [Int: UpgradeManifest]] = [:]

    public init(_ models: [any DocumentModel] = [], manifests: [UpgradeManifest] = []) {
        for m in models { register(m) }
        for u in manifests { register(u) }
    }

    /// Adds (or replaces) a model version.
    public mutating func register(_ model: any DocumentModel) {
        models[model.documentType, default: [:]][model.version] = model
    }

    /// Adds (or replaces) an upgrade step.
    public mutating func register(_ manifest: UpgradeManifest) {
        manifests[manifest.documentType, default: [:]][manifest.fromVersion] = manifest
    }

    /// The model for `documentType` at `version`, or the newest version when `version` is nil.
    public func model(_ documentType: String, version: Int? = nil) -> (any DocumentModel)? {
        guard let versions = models[documentType] else { return nil }
        if let version { return versions[version] }
        return versions.max(by: { $0.key < $1.key })?.value
    }

    /// The upgrade step leaving `version` of `documentType`, if any.
    public func manifest(_ documentType: String, from version: Int) -> UpgradeManifest? {
        manifests[documentType]?[version]
    }

    /// Every registered model, by document type then version.
    public var allModels: [any DocumentModel] {
        models.keys.sorted().flatMap { type in models[type]!.keys.sorted().map { models[type]![$0]! } }
    }

    /// Every registered document type.
    public var documentTypes: [String] { models.keys.sorted() }
}
