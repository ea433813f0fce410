import Foundation
import ReactorCore
import Synchronization

/// A ``ChatProvider`` that answers from a script, for tests of what sits above a provider (the gateway, the routes).
/// It records every request it was sent.
public final class MockChatProvider: ChatProvider {
    /// What the provider does with each request.
    public enum Script: Sendable {
        /// Answers `text` (as one chunk per word when streamed), counting `usage`.
        case answer(String, usage: TokenUsage)
        /// Fails every request with the error.
        case failure(ReactorError)
    }

    public let name: String
    private let state: Mutex<(script: Script, requests: [JSONValue], models: [ProviderModel])>

    public init(name: String, script: Script = .answer("hello from the mock", usage: TokenUsage(promptTokens: 3, completionTokens: 4)),
                models: [ProviderModel] = [ProviderModel(id: "mock-model")]) {
        self.name = name
        state = Mutex((script, [], models))
    }

    /// Replaces the script.
    public func setScript(_ script: Script) { state.withLock { $0.script = script } }

    /// Every request received (chat and embeddings), as sent.
    public var requests: [JSONValue] { state.withLock { $0.requests } }

    private func take(_ json: JSONValue) throws -> (text: String, usage: TokenUsage) {
        let script = state.withLock { s in
            s.requests.append(json)
            return s.script
        }
        switch script {
        case .answer(let text, let usage): return (text, usage)
        case .failure(let error): throw error
        }
    }

    public func chatCompletion(_ request: ChatRequest) async throws -> ChatCompletion {
        let (text, usage) = try take(request.json)
        return ChatCompletion(model: request.model, text: text, usage: usage)
    }

    public func streamChatCompletion(_ request: ChatRequest) async throws -> ChatChunkStream {
        let (text, usage) = try take(request.json)
        let words = text.split(separator: " ", omittingEmptySubsequences: false).enumerated().map { $0 == 0 ? String($1) : " " + $1 }
        var chunks = words.map { ChatChunk(model: request.model, text: $0) }
        chunks.append(ChatChunk(model: request.model, text: nil, finishReason: "stop", usage: usage))
        return ChatChunkStream(chunks: chunks)
    }

    public func embeddings(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse {
        let (_, usage) = try take(request.json)
        let count = request.body["input"]?.arrayValue?.count ?? 1
        return try EmbeddingsResponse(json: [
            "object": "list", "model": .string(request.model),
            "data": .array((0..<count).map { ["object": "embedding", "index": .number(Double($0)), "embedding": [0.25, -0.5, 1]] }),
            "usage": ["prompt_tokens": .number(Double(usage.promptTokens)), "total_tokens": .number(Double(usage.promptTokens))],
        ])
    }

    public func models() async throws -> [ProviderModel] {
        state.withLock { $0.models }
    }
}
