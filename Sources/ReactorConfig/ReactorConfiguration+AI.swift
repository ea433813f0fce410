import Foundation
import ReactorCore

extension ReactorConfiguration {
    /// `[ai]`: the AI gateway (issue 16, `docs/ai.md`): `/ai/v1` (OpenAI-compatible), its `[[ai.providers]]` and
    /// `[[ai.aliases]]`, timeouts and the per-caller daily token budget.
    public struct AISection: Sendable, Equatable {
        /// `enabled`: whether the server serves `/ai/v1`.
        public var enabled: Bool = true
        /// `daily_token_budget`: tokens (prompt and completion) one caller may use per UTC day; 0: no budget.
        public var dailyTokenBudget: Int = 0
        /// `connect_timeout_seconds`: how long connecting to an upstream may take.
        public var connectTimeoutSeconds: Double = 5
        /// `request_timeout_seconds`: how long a whole non-streamed answer may take.
        public var requestTimeoutSeconds: Double = 120
        /// `stream_idle_timeout_seconds`: how long a stream may wait for its next bytes (the first chunk included).
        public var streamIdleTimeoutSeconds: Double = 60
        /// `[[ai.providers]]`.
        public var providers: [AIProviderEntry] = []
        /// `[[ai.aliases]]`.
        public var aliases: [AIAliasEntry] = []

        public init() {}
    }

    /// One `[[ai.providers]]` table.
    public struct AIProviderEntry: Sendable, Equatable {
        /// `name`: how aliases and `provider:model` name it.
        public var name: String
        /// `kind`: `openai` (any OpenAI-compatible API), `openrouter`, `azure` (Azure AI Foundry deployments).
        public var kind: String
        /// `base_url`: the API's base URL (`…/v1`); for `azure` the resource endpoint; for `openrouter` optional.
        public var baseURL: String
        /// `api_key`: usually `env:NAME` or `vault:path`; resolved at boot. Empty: no key (a local server).
        public var apiKey: String
        /// `headers`: extra headers sent with every request (an inline table of strings).
        public var headers: [String: String]
        /// `api_version`: `azure` only.
        public var apiVersion: String
        /// `referer` and `title`: `openrouter`'s attribution headers (`HTTP-Referer`, `X-Title`).
        public var referer: String
        public var title: String

        public init(name: String, kind: String = "openai", baseURL: String = "", apiKey: String = "", headers: [String: String] = [:],
                    apiVersion: String = "", referer: String = "", title: String = "") {
            self.name = name
            self.kind = kind
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.headers = headers
            self.apiVersion = apiVersion
            self.referer = referer
            self.title = title
        }
    }

    /// One `[[ai.aliases]]` table.
    public struct AIAliasEntry: Sendable, Equatable {
        /// `name`: what callers send as `model`.
        public var name: String
        /// `targets`: `provider:model` strings, tried in order.
        public var targets: [String]
        /// `strategy`: `first` (default) or `round_robin`.
        public var strategy: String
        /// `temperature` and `max_tokens`: defaults for requests that give none.
        public var temperature: Double?
        public var maxTokens: Int?

        public init(name: String, targets: [String], strategy: String = "first", temperature: Double? = nil, maxTokens: Int? = nil) {
            self.name = name
            self.targets = targets
            self.strategy = strategy
            self.temperature = temperature
            self.maxTokens = maxTokens
        }
    }

    /// The provider kinds.
    public static let aiProviderKinds = ["openai", "openrouter", "azure"]
    /// The alias strategies.
    public static let aiStrategies = ["first", "round_robin"]
    static let aiProviderKeys = ["name", "kind", "base_url", "api_key", "headers", "api_version", "referer", "title"]
    static let aiAliasKeys = ["name", "targets", "strategy", "temperature", "max_tokens"]

    /// Reads the array of tables `[[path]]`: each table's unknown keys are problems, `read` makes its entry (nil when
    /// it reported a problem through its second argument, which names the table's key), and the origins of the
    /// accepted tables are kept.
    mutating func readTables<Entry>(
        _ value: TOMLValueReader, path: String, keys: [String], source: (String) -> ConfigSource, problems: inout ConfigProblems,
        _ read: ([String: TOMLValueReader], _ problem: (String, String) -> Void, _ accepted: [Entry]) -> Entry?
    ) -> [Entry] {
        guard let tables = value.tables else {
            problems.add(path, "expected an array of tables [[\(path)]], got \(value.typeName)", source: source(path))
            return []
        }
        var entries: [Entry] = []
        for (index, table) in tables.enumerated() {
            let prefix = "\(path)[\(index)]"
            var found: [(key: String, message: String)] = []
            for key in table.keys.sorted() where !keys.contains(key) {
                let hint = ConfigLoader.closest(key, keys).map { " (did you mean \($0)?)" } ?? ""
                found.append((key, "unknown key\(hint); [[\(path)]] has " + keys.joined(separator: ", ")))
            }
            let entry = read(table, { found.append(($0, $1)) }, entries)
            for problem in found { problems.add("\(prefix).\(problem.key)", problem.message, source: source("\(prefix).\(problem.key)")) }
            guard found.isEmpty, let entry else { continue }
            for key in table.keys { origins["\(prefix).\(key)"] = source("\(prefix).\(key)") }
            origins[prefix] = source(prefix)
            entries.append(entry)
        }
        return entries
    }

    /// Reads `[[ai.providers]]`.
    mutating func applyAIProviders(_ value: TOMLValueReader, source: (String) -> ConfigSource, problems: inout ConfigProblems) {
        ai.providers = readTables(value, path: "ai.providers", keys: Self.aiProviderKeys, source: source, problems: &problems) { table, problem, accepted in
            func string(_ key: String) -> String {
                guard let v = table[key] else { return "" }
                guard let text = v.string else {
                    problem(key, "expected a string, got \(v.typeName)")
                    return ""
                }
                return text
            }
            var entry = AIProviderEntry(name: string("name"), kind: table["kind"] == nil ? "openai" : string("kind"), baseURL: string("base_url"),
                                        apiKey: string("api_key"), apiVersion: string("api_version"), referer: string("referer"), title: string("title"))
            if let v = table["headers"] {
                if let headers = v.stringTable { entry.headers = headers } else { problem("headers", "expected an inline table of strings, got \(v.typeName)") }
            }
            if entry.name.isEmpty || entry.name.contains(":") { problem("name", "must be a non-empty name without ':'") }
            if !Self.aiProviderKinds.contains(entry.kind) {
                problem("kind", "'\(entry.kind)' is not a provider kind (\(Self.aiProviderKinds.joined(separator: ", ")))")
            }
            if entry.kind != "openrouter" {
                let components = URLComponents(string: entry.baseURL)
                let scheme = components?.scheme?.lowercased()
                if entry.baseURL.isEmpty || (scheme != "http" && scheme != "https") || components?.host?.isEmpty != false {
                    problem("base_url", "must be an http:// or https:// URL for kind = \"\(entry.kind)\"")
                }
            }
            if accepted.contains(where: { $0.name == entry.name }) { problem("name", "another [[ai.providers]] is named '\(entry.name)'") }
            return entry
        }
    }

    /// Reads `[[ai.aliases]]`.
    mutating func applyAIAliases(_ value: TOMLValueReader, source: (String) -> ConfigSource, problems: inout ConfigProblems) {
        ai.aliases = readTables(value, path: "ai.aliases", keys: Self.aiAliasKeys, source: source, problems: &problems) { table, problem, accepted in
            var entry = AIAliasEntry(name: "", targets: [])
            if let name = table["name"]?.string, !name.isEmpty { entry.name = name } else { problem("name", "must be a non-empty string") }
            if let targets = table["targets"]?.strings, !targets.isEmpty {
                entry.targets = targets
                for (n, target) in targets.enumerated() where target.split(separator: ":", maxSplits: 1).count != 2 {
                    problem("targets[\(n)]", "'\(target)' is not \"provider:model\"")
                }
            } else {
                problem("targets", "must be a non-empty array of \"provider:model\" strings")
            }
            if let v = table["strategy"] {
                if let strategy = v.string, Self.aiStrategies.contains(strategy) { entry.strategy = strategy } else {
                    problem("strategy", "must be one of \(Self.aiStrategies.joined(separator: ", "))")
                }
            }
            if let v = table["temperature"] {
                if let t = v.double, t >= 0, t <= 2 { entry.temperature = t } else { problem("temperature", "must be a number between 0 and 2") }
            }
            if let v = table["max_tokens"] {
                if let m = v.int, m > 0 { entry.maxTokens = m } else { problem("max_tokens", "must be a positive integer") }
            }
            if accepted.contains(where: { $0.name == entry.name }) { problem("name", "another [[ai.aliases]] is named '\(entry.name)'") }
            return entry
        }
    }

    /// The rules of `[ai]` across keys: timeouts, the budget, aliases naming configured providers.
    func aiProblems(_ add: (String, String) -> Void) {
        if ai.dailyTokenBudget < 0 { add("ai.daily_token_budget", "must be 0 (no budget) or more, got \(ai.dailyTokenBudget)") }
        for (key, seconds) in [("ai.connect_timeout_seconds", ai.connectTimeoutSeconds), ("ai.request_timeout_seconds", ai.requestTimeoutSeconds),
                               ("ai.stream_idle_timeout_seconds", ai.streamIdleTimeoutSeconds)]
        where !(seconds > 0 && seconds <= 86_400) {
            add(key, "must be a number of seconds in (0, 86400], got \(seconds)")
        }
        let names = Set(ai.providers.map(\.name))
        for (index, alias) in ai.aliases.enumerated() {
            for (n, target) in alias.targets.enumerated() {
                let provider = String(target.split(separator: ":", maxSplits: 1).first ?? "")
                if !names.contains(provider) {
                    add("ai.aliases[\(index)].targets[\(n)]", "names provider '\(provider)', which no [[ai.providers]] declares")
                }
            }
        }
    }
}

extension TOMLValueReader {
    /// A number (an integer is one too).
    var double: Double? {
        switch value.type {
        case .double: value.double
        case .int: value.int.map(Double.init)
        default: nil
        }
    }

    /// An inline table whose values are all strings.
    var stringTable: [String: String]? {
        guard value.type == .table, let table = value.table else { return nil }
        var out: [String: String] = [:]
        for key in table.keys {
            guard let element = table[key]?.tomlValue, element.type == .string, let text = element.string else { return nil }
            out[key] = text
        }
        return out
    }
}
