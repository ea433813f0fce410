import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReactorAI
import ReactorCore

/// The AI gateway over HTTP (issue 16, `docs/ai.md`), OpenAI-compatible so existing clients work unchanged with the
/// base URL `<server>/ai/v1`:
///
/// - `POST /ai/v1/chat/completions`: `model` names an alias or `provider:model`; `stream: true` relays the upstream's
///   chunks as server-sent events as they arrive (`data: {chunk}` … `data: [DONE]`); an upstream that fails after the
///   first chunk ends the stream with `data: {"error": {…}}`;
/// - `POST /ai/v1/embeddings`;
/// - `GET /ai/v1/models`: the aliases, then each provider's models as `provider:model`;
/// - `GET /ai/v1/usage`: usage summed per caller and alias (`?since=` Unix seconds, `?caller=`); a caller without the
///   `admin` role sees only its own.
struct AIRoutes {
    let deps: ServerDependencies

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.post("chat/completions", use: chat)
        group.post("embeddings", use: embeddings)
        group.get("models", use: models)
        group.get("usage", use: usage)
    }

    func gateway() throws -> AIGateway {
        guard let ai = deps.ai else {
            throw ReactorError(.aiDisabled, "the AI gateway is off on this server ([ai] enabled = false, or built without the AI trait)")
        }
        return ai
    }

    /// Who is asking: the token's subject, or `anonymous` when auth is off.
    static func caller(_ context: ReactorRequestContext) -> String {
        context.claims?.subject ?? "anonymous"
    }

    @Sendable func chat(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let gateway = try gateway()
        let chat = try ChatRequest(json: try await RequestDecoding.json(request, limit: deps.options.maxBodyBytes))
        let caller = Self.caller(context)
        guard chat.stream else {
            let answer = try await gateway.chat(chat, caller: caller)
            return JSONResponse.make(answer.value.json, headers: Self.servedBy(answer.target))
        }
        let relay = try await gateway.openStream(chat, caller: caller)
        let body = ResponseBody { writer in
            do {
                try await relay.relay { chunk in
                    try await writer.write(Self.event(chunk.json))
                }
            } catch let error as ReactorError {
                // The status went out with the first chunk: the failure is the stream's last event.
                try await writer.write(Self.event(HTTPErrorMapping.body(for: error)))
                try await writer.finish(nil)
                return
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        var headers = Self.servedBy(relay.target)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One server-sent event carrying `json`.
    static func event(_ json: JSONValue) -> ByteBuffer {
        let bytes = json.canonicalData
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count + 8)
        buffer.writeString("data: ")
        buffer.writeBytes(bytes)
        buffer.writeString("\n\n")
        return buffer
    }

    /// The response header naming the upstream that answered.
    static let servedByHeader = HTTPField.Name("Reactor-AI-Upstream")!

    static func servedBy(_ target: AITarget) -> HTTPFields {
        var fields = HTTPFields()
        fields[servedByHeader] = target.description
        return fields
    }

    @Sendable func embeddings(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let gateway = try gateway()
        let embeddings = try EmbeddingsRequest(json: try await RequestDecoding.json(request, limit: deps.options.maxBodyBytes))
        let answer = try await gateway.embeddings(embeddings, caller: Self.caller(context))
        return JSONResponse.make(answer.value.json, headers: Self.servedBy(answer.target))
    }

    @Sendable func models(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let gateway = try gateway()
        var data: [JSONValue] = gateway.aliases.values.sorted { $0.name < $1.name }.map { alias in
            [
                "id": .string(alias.name), "object": "model", "created": 0, "owned_by": "reactor",
                "targets": .array(alias.targets.map { .string($0.description) }), "strategy": .string(alias.strategy.rawValue),
            ]
        }
        // Each provider's own list, as provider:model; a provider that cannot list is named in `unavailable`.
        var unavailable: [JSONValue] = []
        for name in gateway.providers.keys.sorted() {
            guard let provider = gateway.providers[name] else { continue }
            do {
                for model in try await provider.models() {
                    data.append(["id": .string(name + ":" + model.id), "object": "model", "created": 0,
                                 "owned_by": .string(model.ownedBy ?? name)])
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                unavailable.append(.string(name))
            }
        }
        return JSONResponse.make(["object": "list", "data": .array(data), "unavailable": .array(unavailable)])
    }

    @Sendable func usage(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let gateway = try gateway()
        let query = QueryParameters(request)
        let since = try query.int("since", in: 0...253_402_300_799).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        var caller = query.string("caller")
        // With auth on, only an admin sees other callers.
        if deps.auth != nil, !(context.claims?.roles.contains("admin") ?? false) {
            let own = Self.caller(context)
            if let asked = caller, asked != own {
                throw ReactorError(.forbidden, "only the 'admin' role reads another caller's usage")
            }
            caller = own
        }
        let summaries = try await gateway.meter.summaries(since: since, caller: caller)
        return JSONResponse.make(["usage": try JSONValueCoder.encode(summaries)])
    }
}
