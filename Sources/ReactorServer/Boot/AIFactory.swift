import Foundation
import ReactorAI
import ReactorConfig
import ReactorCore
import ReactorMemory
import ReactorSQLite
#if Postgres
import ReactorPostgres
#endif
#if AI
import ReactorAIProviders
#endif

/// The AI gateway (issue 16): the providers and aliases of `[ai]`, the usage store on the server's own store, the
/// ``AIGateway`` over them (a `Service`: it writes usage in the background and shuts the providers' clients down).
public enum AIFactory {
    /// The usage table of `store`: in its SQLite file or PostgreSQL schema, or in memory beside the in-memory store.
    public static func usageStore(for store: any ReactorStore) -> any AIUsageStore {
        if let sqlite = store as? SQLiteStore { return SQLiteAIUsageStore(store: sqlite) }
        #if Postgres
        if let postgres = store as? PostgresStore { return PostgresAIUsageStore(store: postgres) }
        #endif
        return InMemoryAIUsageStore()
    }

    /// The aliases of a `[ai]` section.
    public static func aliases(_ section: ReactorConfiguration.AISection) -> [AIAlias] {
        section.aliases.map { entry in
            AIAlias(name: entry.name, targets: entry.targets.compactMap(AITarget.init(parsing:)),
                    strategy: AIStrategy(rawValue: entry.strategy) ?? .first, temperature: entry.temperature, maxTokens: entry.maxTokens)
        }
    }

    /// The providers of `[ai]`, their keys resolved. Without the `AI` trait, any provider is `CONFIG_INVALID` naming it.
    public static func providers(_ section: ReactorConfiguration.AISection, resolver: SecretResolver) async throws -> [any ChatProvider] {
        var providers: [any ChatProvider] = []
        for (index, entry) in section.providers.enumerated() {
            #if AI
            let key = entry.apiKey.isEmpty ? nil : try await resolver.resolve(entry.apiKey, key: "ai.providers[\(index)].api_key")
            var configuration: OpenAICompatibleConfiguration
            switch entry.kind {
            case "openrouter":
                configuration = .openRouter(
                    name: entry.name, apiKey: key ?? "",
                    baseURL: entry.baseURL.isEmpty ? OpenAICompatibleConfiguration.openRouterBaseURL : entry.baseURL,
                    referer: entry.referer, title: entry.title)
            case "azure":
                configuration = .azureFoundry(
                    name: entry.name, endpoint: entry.baseURL, apiKey: key ?? "",
                    apiVersion: entry.apiVersion.isEmpty ? OpenAICompatibleConfiguration.defaultAzureAPIVersion : entry.apiVersion)
            default:
                configuration = OpenAICompatibleConfiguration(name: entry.name, baseURL: entry.baseURL, apiKey: key)
            }
            for (name, value) in entry.headers { configuration.headers[name] = value }
            configuration.connectTimeout = duration(section.connectTimeoutSeconds)
            configuration.requestTimeout = duration(section.requestTimeoutSeconds)
            configuration.streamIdleTimeout = duration(section.streamIdleTimeoutSeconds)
            providers.append(OpenAICompatibleProvider(configuration: configuration))
            #else
            throw CompiledTraits.missing("AI", key: "ai.providers[\(index)].kind", value: entry.kind)
            #endif
        }
        return providers
    }

    static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The gateway, or nil when `[ai] enabled = false`.
    public static func make(
        _ resolved: ReactorConfiguration, store: any ReactorStore, resolver: SecretResolver
    ) async throws -> AIGateway? {
        guard resolved.ai.enabled else { return nil }
        let providers = try await providers(resolved.ai, resolver: resolver)
        do {
            let meter = AIUsageMeter(store: usageStore(for: store))
            return try AIGateway(
                providers: providers, aliases: aliases(resolved.ai), meter: meter,
                dailyTokenBudget: resolved.ai.dailyTokenBudget > 0 ? resolved.ai.dailyTokenBudget : nil)
        } catch {
            for provider in providers { try? await provider.shutdown() }
            throw error
        }
    }
}
