import Foundation
import ReactorCore
import ServiceLifecycle
import Synchronization

/// The AI gateway (issue 16, `docs/ai.md`): resolves what a request names (an alias, or `provider:model`) to
/// upstream targets, tries them in the alias's order until one answers (a 5xx, a timeout or a refused connection
/// falls through to the next; the caller's own error, a 4xx, does not), applies the alias's defaults, checks the
/// caller's daily token budget and meters every request once, whatever its outcome.
public final class AIGateway: Service {
    /// The providers, by name.
    public let providers: [String: any ChatProvider]
    /// The aliases, by name.
    public let aliases: [String: AIAlias]
    /// Where usage goes.
    public let meter: AIUsageMeter
    /// Tokens (prompt and completion) one caller may use per UTC day; nil: no budget.
    public let dailyTokenBudget: Int?
    private let now: @Sendable () -> Date
    private let turns = Mutex<[String: Int]>([:])

    /// A gateway over `providers` (by their ``ChatProvider/name``) and `aliases`. Throws `CONFIG_INVALID` when an
    /// alias names a provider that is not there, or two providers share a name.
    public init(
        providers: [any ChatProvider], aliases: [AIAlias], meter: AIUsageMeter, dailyTokenBudget: Int? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        var byName: [String: any ChatProvider] = [:]
        for provider in providers {
            guard byName[provider.name] == nil else {
                throw ReactorError(.configInvalid, "two AI providers are named '\(provider.name)'", details: ["key": "ai.providers"])
            }
            byName[provider.name] = provider
        }
        var aliasesByName: [String: AIAlias] = [:]
        for alias in aliases {
            for target in alias.targets where byName[target.provider] == nil {
                throw ReactorError(.configInvalid, "alias '\(alias.name)' names provider '\(target.provider)', which is not configured",
                                   details: ["key": "ai.aliases"])
            }
            aliasesByName[alias.name] = alias
        }
        self.providers = byName
        self.aliases = aliasesByName
        self.meter = meter
        self.dailyTokenBudget = dailyTokenBudget
        self.now = now
    }

    /// Writes usage until graceful shutdown (``AIUsageMeter/run()``), then shuts the providers down.
    public func run() async throws {
        try await meter.run()
        for provider in providers.values { try? await provider.shutdown() }
    }

    // MARK: - Resolution

    /// What `model` names: an alias, or `provider:model` of a configured provider. `AI_MODEL_NOT_FOUND` otherwise.
    public func resolve(_ model: String) throws -> AIAlias {
        if let alias = aliases[model] { return alias }
        if let target = AITarget(parsing: model), providers[target.provider] != nil {
            return AIAlias(name: model, targets: [target])
        }
        throw ReactorError(.aiModelNotFound, "no alias or provider:model named '\(model)'", details: ["model": model])
    }

    /// The targets of `alias` in the order this request tries them.
    func order(_ alias: AIAlias) -> [AITarget] {
        guard alias.strategy == .roundRobin, alias.targets.count > 1 else { return alias.targets }
        let start = turns.withLock { turns in
            let turn = turns[alias.name, default: 0]
            turns[alias.name] = turn &+ 1
            return turn
        }
        let offset = start % alias.targets.count
        return Array(alias.targets[offset...] + alias.targets[..<offset])
    }

    /// The start of the current UTC day.
    func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// Throws `AI_BUDGET_EXCEEDED` when `caller` spent its budget for today.
    func checkBudget(caller: String, at date: Date) async throws {
        guard let budget = dailyTokenBudget else { return }
        let day = startOfDay(date)
        let used = try await meter.tokensUsed(caller: caller, since: day)
        guard used >= budget else { return }
        let retry = Int(day.addingTimeInterval(86_400).timeIntervalSince(date).rounded(.up))
        throw ReactorError(.aiBudgetExceeded, "the daily token budget of \(budget) tokens is spent; it renews at midnight UTC",
                           details: ["limit": "\(budget)", "used": "\(used)", "retryAfterSeconds": "\(max(1, retry))"])
    }

    // MARK: - Requests

    /// What a request answered with, and who answered.
    public struct Answer<Value: Sendable>: Sendable {
        public var value: Value
        /// The target that answered.
        public var target: AITarget
        /// How many targets were tried.
        public var attempts: Int
    }

    /// One whole chat completion.
    public func chat(_ request: ChatRequest, caller: String) async throws -> Answer<ChatCompletion> {
        try await call(request.model, kind: "chat", caller: caller) { alias, target, provider in
            let completion = try await provider.chatCompletion(Self.prepared(request, alias: alias, target: target))
            return (completion, completion.usage)
        }
    }

    /// Embeddings.
    public func embeddings(_ request: EmbeddingsRequest, caller: String) async throws -> Answer<EmbeddingsResponse> {
        try await call(request.model, kind: "embeddings", caller: caller) { _, target, provider in
            var upstream = request
            upstream.model = target.model
            let answer = try await provider.embeddings(upstream)
            return (answer, answer.usage)
        }
    }

    /// The request a target is sent: the upstream model, the alias's defaults.
    static func prepared(_ request: ChatRequest, alias: AIAlias, target: AITarget) -> ChatRequest {
        var upstream = request
        upstream.model = target.model
        if let temperature = alias.temperature { upstream.setDefault("temperature", .number(temperature)) }
        if let maxTokens = alias.maxTokens { upstream.setDefault("max_tokens", .number(Double(maxTokens))) }
        return upstream
    }

    private func call<Value: Sendable>(
        _ model: String, kind: String, caller: String,
        _ body: (AIAlias, AITarget, any ChatProvider) async throws -> (Value, TokenUsage?)
    ) async throws -> Answer<Value> {
        try await route(model, kind: kind, caller: caller) { alias, target, provider, usage, started in
            let (value, tokens) = try await body(alias, target, provider)
            var usage = usage
            usage.promptTokens = tokens?.promptTokens ?? 0
            usage.completionTokens = tokens?.completionTokens ?? 0
            finish(&usage, started: started, outcome: "ok")
            return Answer(value: value, target: target, attempts: usage.attempts)
        }
    }

    /// Tries the targets `model` resolves to, in this request's order, until `body` returns for one; a target whose
    /// error falls through is followed by the next. `body` gets the usage record so far and meters its own success;
    /// a request that fails (every target, or the caller's error) is metered here.
    private func route<Value>(
        _ model: String, kind: String, caller: String,
        _ body: (AIAlias, AITarget, any ChatProvider, AIUsageRecord, ContinuousClock.Instant) async throws -> Value
    ) async throws -> Value {
        let started = ContinuousClock.now
        let at = now()
        var usage = AIUsageRecord(caller: caller, alias: model, provider: "", model: "", kind: kind, attempts: 0, at: at)
        do {
            let alias = try resolve(model)
            try await checkBudget(caller: caller, at: at)
            var lastError: (any Error)?
            for target in order(alias) {
                guard let provider = providers[target.provider] else { continue }
                usage.attempts += 1
                usage.provider = target.provider
                usage.model = target.model
                do {
                    return try await body(alias, target, provider, usage, started)
                } catch let error as ReactorError where error.fallsThrough {
                    lastError = error
                    try Task.checkCancellation()
                }
            }
            throw Self.exhausted(lastError, attempts: usage.attempts)
        } catch {
            finish(&usage, started: started, outcome: Self.outcome(error))
            throw error
        }
    }

    /// The error after every target failed: the last one, with the number of attempts.
    static func exhausted(_ error: (any Error)?, attempts: Int) -> any Error {
        guard var failure = error as? ReactorError else {
            return error ?? ReactorError(.aiUpstreamUnavailable, "no target could be tried", isTransient: true)
        }
        failure.details["attempts"] = "\(attempts)"
        return failure
    }

    static func outcome(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        return (error as? ReactorError)?.code.rawValue ?? "error"
    }

    func finish(_ usage: inout AIUsageRecord, started: ContinuousClock.Instant, outcome: String) {
        usage.outcome = outcome
        usage.latencyMilliseconds = Self.milliseconds(ContinuousClock.now - started)
        meter.record(usage)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    // MARK: - Streams

    /// Opens a streamed chat completion: tries the targets until one sends its first chunk (a target that fails
    /// before it — refused, 5xx, a timeout, a malformed or cut stream — falls through to the next), and returns the
    /// stream to relay with ``AIStreamRelay/relay(_:)``, which meters the request when it ends. A request that fails
    /// here is metered here.
    public func openStream(_ request: ChatRequest, caller: String) async throws -> AIStreamRelay {
        try await route(request.model, kind: "chat_stream", caller: caller) { alias, target, provider, usage, started in
            var upstream = Self.prepared(request, alias: alias, target: target)
            // Ask for the usage in the stream's last chunk (OpenAI's `stream_options.include_usage`), so that streams
            // are metered too; a caller's own stream_options are kept.
            if upstream.body["stream_options"] == nil { upstream.set("stream_options", ["include_usage": true]) }
            upstream.stream = true
            let stream = try await provider.streamChatCompletion(upstream)
            var iterator = stream.makeAsyncIterator()
            let first = try await iterator.next()
            return AIStreamRelay(
                first: first, rest: iterator, usage: usage, started: started, target: target, meter: meter,
                includeUsage: request.body["stream_options"]?["include_usage"]?.boolValue ?? false)
        }
    }
}

/// A streamed answer whose first chunk has arrived: relayed once, by ``relay(_:)``, which also meters it.
public final class AIStreamRelay: Sendable {
    private struct Pending {
        var first: ChatChunk?
        var rest: ChatChunkStream.Iterator
    }

    private let pending: Mutex<Pending?>
    private let usage: AIUsageRecord
    private let started: ContinuousClock.Instant
    private let meter: AIUsageMeter
    /// Whether the caller asked for the usage chunk itself (otherwise the one the gateway asked for is not relayed).
    private let includeUsage: Bool
    /// The target that answers.
    public let target: AITarget

    fileprivate init(
        first: ChatChunk?, rest: sending ChatChunkStream.Iterator, usage: AIUsageRecord, started: ContinuousClock.Instant,
        target: AITarget, meter: AIUsageMeter, includeUsage: Bool
    ) {
        pending = Mutex(Pending(first: first, rest: rest))
        self.usage = usage
        self.started = started
        self.target = target
        self.meter = meter
        self.includeUsage = includeUsage
    }

    /// A stream never relayed (its response was never written: the client left first) is metered as cancelled; its
    /// upstream request is cancelled as the iterator goes.
    deinit {
        let unrelayed = pending.withLock { $0 != nil }
        guard unrelayed else { return }
        var record = usage
        record.outcome = "cancelled"
        record.latencyMilliseconds = AIGateway.milliseconds(ContinuousClock.now - started)
        meter.record(record)
    }

    /// Sends every chunk to `send` as it arrives from the upstream, and meters the request once when the stream
    /// ends: `ok`, the upstream's error (a cut stream is `AI_UPSTREAM_UNAVAILABLE`), or `cancelled` when `send`
    /// throws or the task is cancelled (the client went away; the upstream request is cancelled as its iterator is
    /// dropped). A second call sends nothing.
    public func relay(_ send: (ChatChunk) async throws -> Void) async throws {
        guard let taken = pending.withLock({ p -> Pending? in
            defer { p = nil }
            return p
        }) else { return }
        var rest = taken.rest
        var record = usage
        var outcome = "ok"
        defer {
            record.outcome = outcome
            record.latencyMilliseconds = AIGateway.milliseconds(ContinuousClock.now - started)
            meter.record(record)
        }
        var next = taken.first
        var firstSeen = false
        while let chunk = next {
            if !firstSeen {
                firstSeen = true
                record.firstTokenMilliseconds = AIGateway.milliseconds(chunk.elapsed)
            }
            if let tokens = chunk.usage {
                record.promptTokens = tokens.promptTokens
                record.completionTokens = tokens.completionTokens
            }
            let usageOnly = chunk.usage != nil && (chunk.json["choices"]?.arrayValue?.isEmpty ?? true)
            if includeUsage || !usageOnly {
                do {
                    try await send(chunk)
                } catch {
                    outcome = "cancelled"
                    throw error
                }
            }
            do {
                next = try await rest.next()
            } catch {
                outcome = error is CancellationError || Task.isCancelled ? "cancelled" : AIGateway.outcome(error)
                throw error
            }
        }
        if Task.isCancelled { outcome = "cancelled" }
    }
}
