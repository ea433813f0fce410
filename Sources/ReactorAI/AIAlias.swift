import ReactorCore

/// One upstream of an alias: a provider of the registry and a model it serves.
public struct AITarget: Sendable, Hashable, CustomStringConvertible {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    /// `provider:model` (the model may itself hold colons: only the first separates).
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let provider = String(text[..<colon]), model = String(text[text.index(after: colon)...])
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.init(provider: provider, model: model)
    }

    public var description: String { provider + ":" + model }
}

/// How an alias picks among its targets. Either way a target that fails with a 5xx, a timeout or a refused
/// connection falls through to the next, until every target was tried once.
public enum AIStrategy: String, Sendable, Hashable, CaseIterable {
    /// Always the targets in their order: the first that answers.
    case first
    /// Each request starts at the next target, in turn.
    case roundRobin = "round_robin"
}

/// A name callers use (`fast`, `power`) for one or more upstream targets, with defaults applied to requests that do
/// not set them.
public struct AIAlias: Sendable, Hashable {
    public var name: String
    public var targets: [AITarget]
    public var strategy: AIStrategy
    /// `temperature` when the request gives none.
    public var temperature: Double?
    /// `max_tokens` when the request gives none.
    public var maxTokens: Int?

    public init(name: String, targets: [AITarget], strategy: AIStrategy = .first, temperature: Double? = nil, maxTokens: Int? = nil) {
        self.name = name
        self.targets = targets
        self.strategy = strategy
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}
