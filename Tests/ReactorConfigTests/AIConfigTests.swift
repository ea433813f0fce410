import Foundation
import ReactorConfig
import ReactorCore
import Testing

/// `[ai]`, `[[ai.providers]]` and `[[ai.aliases]]` (the AI gateway, issue 16).
@Suite("[ai] in Reactor.toml", .timeLimit(.minutes(1)))
struct AIConfigTests {
    static let example = """
        [ai]
        daily_token_budget = 100000
        stream_idle_timeout_seconds = 30

        [[ai.providers]]
        name = "local"
        base_url = "http://127.0.0.1:8080/v1"

        [[ai.providers]]
        name = "openrouter"
        kind = "openrouter"
        api_key = "env:OPENROUTER_API_KEY"
        referer = "https://app.example.com"
        title = "Example"
        headers = { "X-Team" = "research" }

        [[ai.providers]]
        name = "azure"
        kind = "azure"
        base_url = "https://example.openai.azure.com"
        api_key = "vault:ai/azure-key"
        api_version = "2024-10-21"

        [[ai.aliases]]
        name = "fast"
        targets = ["local:smollm2", "openrouter:meta-llama/llama-3.1-8b-instruct"]
        temperature = 0.2
        max_tokens = 512

        [[ai.aliases]]
        name = "power"
        targets = ["azure:gpt-4o", "openrouter:anthropic/claude-sonnet-4"]
        strategy = "round_robin"
        """

    @Test func providersAndAliasesAreRead() throws {
        let config = try ConfigLoader.parse(Self.example)
        #expect(config.ai.enabled)
        #expect(config.ai.dailyTokenBudget == 100_000)
        #expect(config.ai.streamIdleTimeoutSeconds == 30)
        #expect(config.ai.providers == [
            ReactorConfiguration.AIProviderEntry(name: "local", baseURL: "http://127.0.0.1:8080/v1"),
            ReactorConfiguration.AIProviderEntry(name: "openrouter", kind: "openrouter", apiKey: "env:OPENROUTER_API_KEY",
                                                 headers: ["X-Team": "research"], referer: "https://app.example.com", title: "Example"),
            ReactorConfiguration.AIProviderEntry(name: "azure", kind: "azure", baseURL: "https://example.openai.azure.com",
                                                 apiKey: "vault:ai/azure-key", apiVersion: "2024-10-21"),
        ])
        #expect(config.ai.aliases == [
            ReactorConfiguration.AIAliasEntry(name: "fast", targets: ["local:smollm2", "openrouter:meta-llama/llama-3.1-8b-instruct"],
                                              temperature: 0.2, maxTokens: 512),
            ReactorConfiguration.AIAliasEntry(name: "power", targets: ["azure:gpt-4o", "openrouter:anthropic/claude-sonnet-4"], strategy: "round_robin"),
        ])
    }

    @Test func environmentOverridesTheKeys() throws {
        let config = try ConfigLoader.parse(Self.example, environment: ["REACTOR_AI__DAILY_TOKEN_BUDGET": "5", "REACTOR_AI__ENABLED": "false"])
        #expect(config.ai.dailyTokenBudget == 5)
        #expect(!config.ai.enabled)
    }

    @Test func badEntriesNameTheirKey() throws {
        let cases: [(String, String)] = [
            ("[[ai.providers]]\nname = \"x\"", "ai.providers[0].base_url"),
            ("[[ai.providers]]\nname = \"x\"\nbase_url = \"ftp://h\"", "ai.providers[0].base_url"),
            ("[[ai.providers]]\nname = \"a:b\"\nbase_url = \"http://h\"", "ai.providers[0].name"),
            ("[[ai.providers]]\nname = \"x\"\nkind = \"bedrock\"\nbase_url = \"http://h\"", "ai.providers[0].kind"),
            ("[[ai.providers]]\nname = \"x\"\nbase_url = \"http://h\"\napi_kee = \"k\"", "ai.providers[0].api_kee"),
            ("[[ai.providers]]\nname = \"x\"\nbase_url = \"http://h\"\nheaders = { a = 1 }", "ai.providers[0].headers"),
            ("[[ai.providers]]\nname = \"x\"\nbase_url = \"http://h\"\n[[ai.aliases]]\nname = \"f\"\ntargets = [\"x\"]", "ai.aliases[0].targets[0]"),
            ("[[ai.providers]]\nname = \"x\"\nbase_url = \"http://h\"\n[[ai.aliases]]\nname = \"f\"\ntargets = [\"y:m\"]", "ai.aliases[0].targets[0]"),
            ("[[ai.providers]]\nname = \"x\"\nbase_url = \"http://h\"\n[[ai.aliases]]\nname = \"f\"\ntargets = [\"x:m\"]\nstrategy = \"random\"",
             "ai.aliases[0].strategy"),
            ("[[ai.providers]]\nname = \"x\"\nbase_url = \"http://h\"\n[[ai.aliases]]\nname = \"f\"\ntargets = [\"x:m\"]\ntemperature = 3",
             "ai.aliases[0].temperature"),
            ("[ai]\ndaily_token_budget = -1", "ai.daily_token_budget"),
            ("[ai]\nrequest_timeout_seconds = 0", "ai.request_timeout_seconds"),
        ]
        expectProblems(cases)
    }
}
