/// A chat completion request in the OpenAI wire format (`POST /v1/chat/completions`): the whole request object is
/// kept, so fields the gateway does not interpret (`tools`, `response_format`, `top_p`, `stop`, …) reach the upstream
/// unchanged. ``model`` names an alias or a `provider:model` target at the gateway, the upstream model at a provider.
public struct ChatRequest: Sendable, Hashable {
    /// The request object.
    public private(set) var body: [String: JSONValue]

    /// A request from its JSON object. Throws `INVALID_INPUT` (with `details.path`) when it is not an object, has no
    /// string `model`, or no non-empty `messages` array of objects with a string `role`.
    public init(json: JSONValue) throws {
        guard let object = json.objectValue else { throw ReactorError(.invalidInput, "a chat request is a JSON object") }
        guard let model = object["model"]?.stringValue, !model.isEmpty else {
            throw ReactorError(.invalidInput, "'model' must be a non-empty string", details: ["path": "model"])
        }
        _ = model
        guard let messages = object["messages"]?.arrayValue, !messages.isEmpty else {
            throw ReactorError(.invalidInput, "'messages' must be a non-empty array", details: ["path": "messages"])
        }
        for (index, message) in messages.enumerated() where message["role"]?.stringValue == nil {
            throw ReactorError(.invalidInput, "messages[\(index)] must be an object with a string 'role'", details: ["path": "messages[\(index)].role"])
        }
        if let stream = object["stream"], stream.boolValue == nil, stream != .null {
            throw ReactorError(.invalidInput, "'stream' must be a boolean", details: ["path": "stream"])
        }
        for key in ["temperature", "max_tokens"] {
            if let value = object[key], value.doubleValue == nil, value != .null {
                throw ReactorError(.invalidInput, "'\(key)' must be a number", details: ["path": key])
            }
        }
        body = object
    }

    /// A request for `model` with `messages` (each `{"role", "content"}`).
    public init(model: String, messages: [(role: String, content: String)], temperature: Double? = nil, maxTokens: Int? = nil) {
        body = [
            "model": .string(model),
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }),
        ]
        if let temperature { body["temperature"] = .number(temperature) }
        if let maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
    }

    /// `model`.
    public var model: String {
        get { body["model"]?.stringValue ?? "" }
        set { body["model"] = .string(newValue) }
    }

    /// `stream`: whether the caller asked for server-sent events.
    public var stream: Bool {
        get { body["stream"]?.boolValue ?? false }
        set { body["stream"] = .bool(newValue) }
    }

    /// `temperature`, when given.
    public var temperature: Double? { body["temperature"]?.doubleValue }
    /// `max_tokens`, when given.
    public var maxTokens: Int? { body["max_tokens"]?.intValue }

    /// Sets `key` to `value` when the request does not give it (an alias's defaults).
    public mutating func setDefault(_ key: String, _ value: JSONValue) {
        if body[key] == nil || body[key] == .null { body[key] = value }
    }

    /// Sets (or, with nil, removes) a field.
    public mutating func set(_ key: String, _ value: JSONValue?) {
        body[key] = value
    }

    /// The request object.
    public var json: JSONValue { .object(body) }
}

/// Token counts of one answer (`usage` in the OpenAI format).
public struct TokenUsage: Sendable, Hashable, Codable {
    /// `prompt_tokens`.
    public var promptTokens: Int
    /// `completion_tokens`.
    public var completionTokens: Int
    /// `prompt_tokens + completion_tokens`.
    public var totalTokens: Int { promptTokens + completionTokens }

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// The usage of an OpenAI `usage` object; nil when there is none.
    public init?(json: JSONValue?) {
        guard let json, let object = json.objectValue else { return nil }
        promptTokens = object["prompt_tokens"]?.intValue ?? 0
        completionTokens = object["completion_tokens"]?.intValue ?? 0
    }

    /// The OpenAI `usage` object.
    public var json: JSONValue {
        ["prompt_tokens": .number(Double(promptTokens)), "completion_tokens": .number(Double(completionTokens)),
         "total_tokens": .number(Double(totalTokens))]
    }
}

/// A whole (non-streamed) chat completion, the upstream's JSON object as it answered.
public struct ChatCompletion: Sendable, Hashable {
    /// The answer object (`id`, `object`, `created`, `model`, `choices`, `usage`).
    public var json: JSONValue

    /// An answer from the upstream's JSON; throws ``ReactorError/Code/aiUpstreamUnavailable`` (`details.reason =
    /// malformed`) when it is not an object with a `choices` array.
    public init(json: JSONValue) throws {
        guard json["choices"]?.arrayValue != nil else {
            throw ReactorError(.aiUpstreamUnavailable, "the upstream's answer is not a chat completion", details: ["reason": "malformed"], isTransient: true)
        }
        self.json = json
    }

    /// An answer of `text` from `model` (the shape every OpenAI-compatible server answers).
    public init(id: String = "chatcmpl-1", model: String, text: String, usage: TokenUsage?, created: Int = 0, finishReason: String = "stop") {
        var object: [String: JSONValue] = [
            "id": .string(id), "object": "chat.completion", "created": .number(Double(created)), "model": .string(model),
            "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": .string(finishReason)]],
        ]
        if let usage { object["usage"] = usage.json }
        json = .object(object)
    }

    /// `usage`, when the upstream counted.
    public var usage: TokenUsage? { TokenUsage(json: json["usage"]) }
    /// The first choice's message content.
    public var text: String? { json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue }
    /// `model`.
    public var model: String? { json["model"]?.stringValue }
}

/// One chunk of a streamed chat completion (`chat.completion.chunk`), the upstream's JSON object as it arrived.
public struct ChatChunk: Sendable, Hashable {
    /// The chunk object.
    public var json: JSONValue
    /// How long after the request was sent this chunk arrived (the first chunk's is the time to first token).
    public var elapsed: Duration

    public init(json: JSONValue, elapsed: Duration = .zero) {
        self.json = json
        self.elapsed = elapsed
    }

    /// A chunk carrying `text` as the first choice's delta (and `usage`, as the last chunk of a stream asked with
    /// `stream_options.include_usage` does).
    public init(id: String = "chatcmpl-1", model: String, text: String?, finishReason: String? = nil, usage: TokenUsage? = nil, elapsed: Duration = .zero) {
        var delta: [String: JSONValue] = [:]
        if let text { delta["content"] = .string(text) }
        var object: [String: JSONValue] = [
            "id": .string(id), "object": "chat.completion.chunk", "created": 0, "model": .string(model),
            "choices": [["index": 0, "delta": .object(delta), "finish_reason": finishReason.map(JSONValue.string) ?? .null]],
        ]
        if let usage { object["usage"] = usage.json }
        self.init(json: .object(object), elapsed: elapsed)
    }

    /// `usage`, on the chunk that carries it.
    public var usage: TokenUsage? { TokenUsage(json: json["usage"]) }
    /// The first choice's delta content.
    public var text: String? { json["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }
    /// The first choice's `finish_reason`, on the last chunk.
    public var finishReason: String? { json["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue }
}

/// An embeddings request (`POST /v1/embeddings`): the request object, `model` and `input` checked.
public struct EmbeddingsRequest: Sendable, Hashable {
    /// The request object.
    public private(set) var body: [String: JSONValue]

    /// A request from its JSON object; `INVALID_INPUT` without a string `model` or with no `input`.
    public init(json: JSONValue) throws {
        guard let object = json.objectValue else { throw ReactorError(.invalidInput, "an embeddings request is a JSON object") }
        guard let model = object["model"]?.stringValue, !model.isEmpty else {
            throw ReactorError(.invalidInput, "'model' must be a non-empty string", details: ["path": "model"])
        }
        _ = model
        switch object["input"] {
        case .string?, .array?: break
        default: throw ReactorError(.invalidInput, "'input' must be a string or an array", details: ["path": "input"])
        }
        body = object
    }

    /// A request for `model` embedding `input`.
    public init(model: String, input: [String]) {
        body = ["model": .string(model), "input": .array(input.map(JSONValue.string))]
    }

    /// `model`.
    public var model: String {
        get { body["model"]?.stringValue ?? "" }
        set { body["model"] = .string(newValue) }
    }

    /// The request object.
    public var json: JSONValue { .object(body) }
}

/// An embeddings answer, the upstream's JSON object (`data`, `model`, `usage`).
public struct EmbeddingsResponse: Sendable, Hashable {
    public var json: JSONValue

    /// An answer from the upstream's JSON; `AI_UPSTREAM_UNAVAILABLE` when it has no `data` array.
    public init(json: JSONValue) throws {
        guard json["data"]?.arrayValue != nil else {
            throw ReactorError(.aiUpstreamUnavailable, "the upstream's answer is not an embeddings list", details: ["reason": "malformed"], isTransient: true)
        }
        self.json = json
    }

    /// `usage` (embeddings count prompt tokens only).
    public var usage: TokenUsage? { TokenUsage(json: json["usage"]) }
}

/// A model an upstream offers (`GET /v1/models`).
public struct ProviderModel: Sendable, Hashable, Codable {
    /// The upstream's model id.
    public var id: String
    /// `owned_by`, when the upstream says.
    public var ownedBy: String?

    public init(id: String, ownedBy: String? = nil) {
        self.id = id
        self.ownedBy = ownedBy
    }
}
