import ArgumentParser
import Foundation
import ReactorCore

/// `reactor models add|ls|show`: the document models of a running server, over its HTTP API (`/reactor/v1/models`).
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Register WASM document models on a running server, list its models and show what one accepts.",
        discussion: """
            These commands call the server's API: --server (or $REACTOR_SERVER_URL, else server.bind of the
            configuration) says where it runs, and the local admin token of its data directory (or --api-token,
            $REACTOR_API_TOKEN: a bearer token with the 'admin' role) is the credential. The reducer ABI a
            module implements is in docs/functions.md ("Document models (reducer ABI)").
            """,
        subcommands: [Add.self, List.self, Show.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a WASM module (.wasm or .wat) as a document model.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The module: a .wasm binary or .wat text.") var file: String
        @Option(name: .customLong("type"), help: "The document type, e.g. example/todo (not a built-in one).") var documentType: String
        @Option(name: .long, help: "The model version (1 or more).") var version: Int
        @Option(name: .long, help: "The scopes, comma-separated (default global,local).") var scopes: String?
        @Option(name: .customLong("initial-state"), help: "The states at creation: a JSON object by scope, e.g. '{\"global\": {}}'.")
        var initialState: String?
        @Option(name: .long, help: "The fuel one action may use (default: the server's models.fuel_per_action).") var fuel: Int?
        @Option(name: .long, help: "A JSON file declaring {\"actions\": [{\"type\", \"scope\"?, \"input\"?, \"summary\"?}], \"stateSchemas\": {scope: schema}} for discovery and the console's forms.")
        var schema: String?

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let bytes: Data
                do {
                    bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                } catch {
                    throw ReactorError(.invalidArgument, "cannot read \(file): \(error.localizedDescription)")
                }
                var body: [String: JSONValue] = [
                    "documentType": .string(documentType), "version": .number(Double(version)),
                    "module": .string(bytes.base64EncodedString()),
                ]
                if let scopes { body["scopes"] = .array(scopes.split(separator: ",").map { .string(String($0)) }) }
                if let initialState {
                    guard let state = try? JSONValueCoder.parse(initialState), case .object = state else {
                        throw ReactorError(.invalidArgument, "--initial-state must be a JSON object of states by scope, e.g. '{\"global\": {}}'")
                    }
                    body["initialState"] = state
                }
                if let fuel { body["fuelPerAction"] = .number(Double(fuel)) }
                if let schema {
                    let text: String
                    do {
                        text = try String(contentsOfFile: schema, encoding: .utf8)
                    } catch {
                        throw ReactorError(.invalidArgument, "cannot read \(schema): \(error.localizedDescription)")
                    }
                    guard let declared = try? JSONValueCoder.parse(text), case .object(let members) = declared else {
                        throw ReactorError(.invalidArgument, "--schema must name a JSON object {\"actions\": [...], \"stateSchemas\": {...}}")
                    }
                    for key in members.keys.sorted() where key != "actions" && key != "stateSchemas" {
                        throw ReactorError(.invalidArgument, "--schema: unknown key '\(key)' (expected actions, stateSchemas)")
                    }
                    body["actions"] = members["actions"]
                    body["stateSchemas"] = members["stateSchemas"]
                }
                let model = try await api.client().call(.POST, "/reactor/v1/models", body: .object(body))
                if api.json { return Output.json(model) }
                let created = model["created"]?.boolValue ?? true
                Output.line("\(created ? "registered" : "already registered:") \(documentType) v\(version) (\(model["digest"]?.stringValue ?? "?"))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the server's models (built-in and WASM) with their versions.")
        @OptionGroup var api: ServerAPIOptions

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.GET, "/reactor/v1/models")
                if api.json { return Output.json(answer) }
                for model in answer["models"]?.arrayValue ?? [] {
                    let versions = (model["versions"]?.arrayValue ?? []).map { version -> String in
                        let scopes = (version["scopes"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
                        let digest = version["digest"]?.stringValue.map { " " + $0.prefix(19) + "…" } ?? ""
                        return "v\(version["version"]?.intValue ?? 0) [\(scopes)]\(digest)"
                    }
                    Output.line("\(model["documentType"]?.stringValue ?? "?")  \(model["kind"]?.stringValue ?? "?")  \(versions.joined(separator: "; "))")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one model: its versions, scopes and the actions it takes with their input fields.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The document type, e.g. reactor/todo-list.") var documentType: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let path = documentType.split(separator: "/").map { String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }
                let model = try await api.client().call(.GET, "/reactor/v1/models/" + path.joined(separator: "/"))
                if api.json { return Output.json(model) }
                Output.line("\(model["documentType"]?.stringValue ?? documentType)  \(model["kind"]?.stringValue ?? "?")")
                for version in model["versions"]?.arrayValue ?? [] {
                    let scopes = (version["scopes"]?.arrayValue ?? []).compactMap(\.stringValue)
                    Output.line("v\(version["version"]?.intValue ?? 0)  scopes: \(scopes.joined(separator: ", "))")
                    for action in version["actions"]?.arrayValue ?? [] {
                        Output.line("  \(action["scope"]?.stringValue ?? "?")  \(action["type"]?.stringValue ?? "?")\(Self.fields(action["input"]))")
                    }
                }
            }
        }

        /// An input schema's fields as ` {id, text?}` (optional ones with `?`), or "" without input.
        static func fields(_ schema: JSONValue?) -> String {
            guard let properties = schema?["properties"]?.objectValue else { return "" }
            let required = Set((schema?["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            let names = properties.keys.sorted { (required.contains($0) ? 0 : 1, $0) < (required.contains($1) ? 0 : 1, $1) }
            return " {" + names.map { required.contains($0) ? $0 : $0 + "?" }.joined(separator: ", ") + "}"
        }
    }
}
