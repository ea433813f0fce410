import Foundation
import ReactorCore

/// How to reach one OpenAI-compatible upstream: where, with which key and headers, within which times.
public struct OpenAICompatibleConfiguration: Sendable, Hashable {
    /// How requests are addressed and authenticated.
    public enum Flavor: Sendable, Hashable {
        /// `<base_url>/chat/completions`, `/embeddings`, `/models`; `Authorization: Bearer <key>` (OpenAI, OpenRouter,
        /// llama.cpp, vLLM, Ollama, …).
        case openAI
        /// Azure AI Foundry / Azure OpenAI deployments: `<endpoint>/openai/deployments/<model>/chat/completions
        /// ?api-version=<version>` (the model is the deployment's name), `api-key: <key>`.
        case azure(apiVersion: String)
    }

    /// The provider's name in the registry.
    public var name: String
    /// The API's base URL: `https://api.openai.com/v1`, `http://127.0.0.1:8080/v1`; for Azure the resource's
    /// endpoint, `https://<resource>.openai.azure.com`.
    public var baseURL: String
    /// The API key (already resolved from its `env:`/`vault:` reference); nil sends none.
    public var apiKey: String?
    /// Headers sent with every request (OpenRouter's attribution headers).
    public var headers: [String: String]
    public var flavor: Flavor
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// How long a whole non-streamed answer may take.
    public var requestTimeout: Duration
    /// How long a stream may wait for its next bytes (the first chunk included).
    public var streamIdleTimeout: Duration
    /// The largest non-streamed answer read.
    public var maxResponseBytes: Int

    public init(
        name: String, baseURL: String, apiKey: String? = nil, headers: [String: String] = [:], flavor: Flavor = .openAI,
        connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(120), streamIdleTimeout: Duration = .seconds(60),
        maxResponseBytes: Int = 32 << 20
    ) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.headers = headers
        self.flavor = flavor
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.streamIdleTimeout = streamIdleTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// OpenRouter's base URL.
    public static let openRouterBaseURL = "https://openrouter.ai/api/v1"
    /// The Azure OpenAI data-plane API version used when none is configured.
    public static let defaultAzureAPIVersion = "2024-10-21"

    /// OpenRouter: its base URL (unless given another), a bearer key, and its attribution headers (`HTTP-Referer`:
    /// the calling site's URL, `X-Title`: its name), sent when set.
    public static func openRouter(
        name: String = "openrouter", apiKey: String, baseURL: String = openRouterBaseURL, referer: String? = nil, title: String? = nil
    ) -> OpenAICompatibleConfiguration {
        var headers: [String: String] = [:]
        if let referer, !referer.isEmpty { headers["HTTP-Referer"] = referer }
        if let title, !title.isEmpty { headers["X-Title"] = title }
        return OpenAICompatibleConfiguration(name: name, baseURL: baseURL, apiKey: apiKey, headers: headers)
    }

    /// Azure AI Foundry (Azure OpenAI deployments): the resource's endpoint, the `api-key` header, the deployment
    /// URL shape with `api-version`.
    public static func azureFoundry(
        name: String = "azure", endpoint: String, apiKey: String, apiVersion: String = defaultAzureAPIVersion
    ) -> OpenAICompatibleConfiguration {
        OpenAICompatibleConfiguration(name: name, baseURL: endpoint, apiKey: apiKey, flavor: .azure(apiVersion: apiVersion))
    }

    /// The operations of the API.
    enum Operation {
        case chat, embeddings, models
    }

    /// The URL of `operation` for `model`.
    func url(_ operation: Operation, model: String) -> String {
        switch flavor {
        case .openAI:
            switch operation {
            case .chat: return baseURL + "/chat/completions"
            case .embeddings: return baseURL + "/embeddings"
            case .models: return baseURL + "/models"
            }
        case .azure(let version):
            let query = "?api-version=" + (version.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? version)
            let deployment = "/openai/deployments/" + (model.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? model)
            switch operation {
            case .chat: return baseURL + deployment + "/chat/completions" + query
            case .embeddings: return baseURL + deployment + "/embeddings" + query
            case .models: return baseURL + "/openai/models" + query
            }
        }
    }

    /// The authentication header.
    var authorization: (name: String, value: String)? {
        guard let apiKey, !apiKey.isEmpty else { return nil }
        switch flavor {
        case .openAI: return ("authorization", "Bearer " + apiKey)
        case .azure: return ("api-key", apiKey)
        }
    }
}
