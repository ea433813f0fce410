import ArgumentParser
import Foundation
import NIOHTTP1
import ReactorCore

/// `reactor ai models|chat|usage`: the AI gateway of a running server (`/ai/v1`, docs/ai.md).
struct AICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai",
        abstract: "Talk to the AI gateway of a running server: its models, a chat (streamed to the terminal), usage.",
        discussion: """
            These commands call the server's /ai/v1 API: --server (or $REACTOR_SERVER_URL, else server.bind of the
            configuration) says where it runs; with [auth] on, --api-token (or $REACTOR_API_TOKEN) is the caller's
            token. Aliases and providers are configured in [ai] of Reactor.toml (docs/ai.md).
            """,
        subcommands: [Models.self, Chat.self, Usage.self]
    )

    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the aliases and every provider's models (provider:model).")
        @OptionGroup var api: ServerAPIOptions

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.GET, "/ai/v1/models")
                if api.json { return Output.json(answer) }
                for model in answer["data"]?.arrayValue ?? [] {
                    let id = model["id"]?.stringValue ?? "?"
                    if let targets = model["targets"]?.arrayValue {
                        let list = targets.compactMap(\.stringValue).joined(separator: " → ")
                        Output.line("\(id)\talias (\(model["strategy"]?.stringValue ?? "first")): \(list)")
                    } else {
                        Output.line("\(id)")
                    }
                }
                for provider in answer["unavailable"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                    Output.line("(\(provider): its model list could not be read)")
                }
            }
        }
    }

    struct Chat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask a model (an alias or provider:model) and stream its answer to the terminal.")
        @OptionGroup var api: ServerAPIOptions
        @Option(name: .long, help: "An alias of [ai] (fast, power, …) or provider:model.") var model: String
        @Option(name: .long, help: "A system message sent before the prompt.") var system: String?
        @Option(name: .long, help: "Sampling temperature (the alias's default when not given).") var temperature: Double?
        @Option(name: .customLong("max-tokens"), help: "The most tokens to generate.") var maxTokens: Int?
        @Flag(name: .customLong("no-stream"), help: "Wait for the whole answer instead of streaming it.") var noStream = false
        @Argument(help: "The prompt.") var prompt: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                var messages: [(role: String, content: String)] = []
                if let system { messages.append((role: "system", content: system)) }
                messages.append((role: "user", content: prompt))
                var request = ChatRequest(model: model, messages: messages, temperature: temperature, maxTokens: maxTokens)
                let client = try api.client()
                if noStream || api.json {
                    let answer = try await client.call(.POST, "/ai/v1/chat/completions", body: request.json, timeout: .seconds(600))
                    if api.json { return Output.json(answer) }
                    Output.line(answer["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? "")
                    return
                }
                request.stream = true
                var wroteText = false
                try await client.events("/ai/v1/chat/completions", method: .POST, body: request.json) { _, data in
                    guard data != "[DONE]" else { return }
                    let chunk = try JSONValueCoder.parse(data)
                    if chunk["error"] != nil { throw ServerAPIClient.failure(chunk, status: 502, "POST", "/ai/v1/chat/completions") }
                    if let text = chunk["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue, !text.isEmpty {
                        FileHandle.standardOutput.write(Data(text.utf8))
                        wroteText = true
                    }
                }
                if wroteText { FileHandle.standardOutput.write(Data("\n".utf8)) }
            }
        }
    }

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tokens and requests per caller and alias (yours only, unless an admin).")
        @OptionGroup var api: ServerAPIOptions
        @Option(name: .long, help: "Only requests at or after this Unix time (seconds).") var since: Int?

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.GET, "/ai/v1/usage" + (since.map { "?since=\($0)" } ?? ""))
                if api.json { return Output.json(answer) }
                Output.line("caller\talias\trequests\tfailures\tprompt\tcompletion")
                for row in answer["usage"]?.arrayValue ?? [] {
                    let fields = ["caller", "alias", "requests", "failures", "promptTokens", "completionTokens"].map { key in
                        row[key]?.stringValue ?? row[key]?.intValue.map(String.init) ?? "?"
                    }
                    Output.line(fields.joined(separator: "\t"))
                }
            }
        }
    }
}
