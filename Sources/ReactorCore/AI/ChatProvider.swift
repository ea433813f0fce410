/// An upstream of chat completions and embeddings (issue 16, `docs/ai.md`).
///
/// Adapters: `ReactorAIProviders.OpenAICompatibleProvider` (any OpenAI-compatible API, with presets for OpenRouter
/// and Azure AI Foundry) and `ReactorTesting.MockChatProvider`. Failures are ``ReactorError``s: the upstream's fault
/// is ``ReactorError/Code/aiUpstreamUnavailable`` or ``ReactorError/Code/aiUpstreamTimeout`` (a gateway alias then
/// tries its next target), the caller's is ``ReactorError/Code/aiUpstreamRejected`` with the upstream's message.
public protocol ChatProvider: Sendable {
    /// The provider's name in `[ai]` (`openrouter`, `local`).
    var name: String { get }
    /// One whole answer.
    func chatCompletion(_ request: ChatRequest) async throws -> ChatCompletion
    /// The answer as chunks, read from the upstream as they arrive. The call returns once the upstream accepted the
    /// request (its status is known); errors after that come from the sequence. Cancelling the task that iterates
    /// cancels the upstream request.
    func streamChatCompletion(_ request: ChatRequest) async throws -> ChatChunkStream
    /// Embeddings of the request's input.
    func embeddings(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse
    /// The models the upstream offers.
    func models() async throws -> [ProviderModel]
    /// Releases what the provider holds (an HTTP client); called once when the server stops.
    func shutdown() async throws
}

/// The chunks of one streamed answer: pulled from the upstream as the consumer iterates (nothing runs ahead of the
/// consumer, nothing is buffered beyond the chunk being parsed).
public struct ChatChunkStream: AsyncSequence, Sendable {
    public typealias Element = ChatChunk
    private let make: @Sendable () -> Iterator

    /// A stream whose iterator calls `next` for each chunk (nil at the end).
    public init(_ make: @escaping @Sendable () -> (() async throws -> ChatChunk?)) {
        self.make = { Iterator(pull: make()) }
    }

    /// A stream of fixed chunks.
    public init(chunks: [ChatChunk]) {
        self.init {
            var rest = chunks[...]
            return { rest.popFirst() }
        }
    }

    public func makeAsyncIterator() -> Iterator { make() }

    /// Iterates the chunks.
    public struct Iterator: AsyncIteratorProtocol {
        let pull: () async throws -> ChatChunk?

        public mutating func next() async throws -> ChatChunk? {
            try await pull()
        }
    }
}

extension ChatProvider {
    /// Releases what the provider holds (its HTTP client); the default does nothing.
    public func shutdown() async throws {}
}
