import ArgumentParser
import Foundation
import NIOHTTP1
import ReactorCore

/// `reactor functions deploy|ls|versions|invoke|logs|promote|rollback|rm`: functions of a running server, over its
/// HTTP API (`/_admin/functions`, `/functions/v1`).
struct FunctionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "functions",
        abstract: "Deploy, call and manage functions (WebAssembly modules) on a running server.",
        discussion: """
            These commands call the server's API: --server (or $REACTOR_SERVER_URL, else server.bind of the
            configuration) says where it runs, and the local admin token of its data directory (or --api-token,
            $REACTOR_API_TOKEN: a bearer token with the 'admin' role) is the credential. See docs/functions.md.
            """,
        subcommands: [Deploy.self, List.self, Versions.self, Invoke.self, Logs.self, Promote.self, Rollback.self, Remove.self]
    )

    static func path(_ name: String, _ rest: String = "") -> String {
        "/_admin/functions/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? name) + rest
    }

    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy a module (.wasm, or .wat text) as a new version of a function, and make it live.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The function's name (lower-case letters, digits, - and _): it answers at /functions/v1/<name>.") var name: String
        @Argument(help: "The module: a .wasm file, or a .wat text file.") var file: String
        @Option(name: .long, help: "An environment variable NAME=value (repeat); the value may be vault:path or env:NAME.")
        var env: [String] = []
        @Option(name: .long, help: "Instructions per invocation.") var fuel: UInt64?
        @Option(name: .customLong("memory-bytes"), help: "Linear memory per invocation, in bytes.") var memoryBytes: Int?
        @Option(name: .customLong("timeout-ms"), help: "Wall-clock time per invocation, in milliseconds.") var timeoutMs: Int?
        @Option(name: .customLong("max-response-bytes"), help: "The largest response, in bytes.") var maxResponseBytes: Int?
        @Option(name: .customLong("max-concurrent"), help: "Invocations at once on one node; more wait, then 429.") var maxConcurrent: Int?
        @Option(name: .customLong("trigger-type"), help: "Invoke for operations on documents of this type (repeat).") var triggerTypes: [String] = []
        @Option(name: .customLong("trigger-document"), help: "Invoke for operations on this document (repeat).") var triggerDocuments: [String] = []
        @Option(name: .customLong("trigger-action"), help: "Invoke for operations of this action type (repeat).") var triggerActions: [String] = []
        @Flag(name: .customLong("trigger-all"), help: "Invoke for every operation.") var triggerAll = false
        @Flag(name: .customLong("public"), help: "Answer callers without a token when auth is on (webhooks).") var isPublic = false
        @Flag(name: .customLong("no-promote"), help: "Store the version without making it live.") var noPromote = false

        func run() async throws {
            try await Output.guarded(json: api.json) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ReactorError(.invalidArgument, "cannot read the module file '\(file)'", details: ["argument": "file"])
                }
                var body: [String: JSONValue] = ["promote": .bool(!noPromote), "public": .bool(isPublic)]
                switch FunctionSource.detect(Array(data)) {
                case .text(let text): body["wat"] = .string(text)
                case .binary(let bytes): body["module"] = .string(Data(bytes).base64EncodedString())
                }
                var environment: [String: JSONValue] = [:]
                for pair in env {
                    guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                        throw ReactorError(.invalidArgument, "--env takes NAME=value, got '\(pair)'", details: ["argument": "env"])
                    }
                    environment[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
                }
                if !environment.isEmpty { body["environment"] = .object(environment) }
                var limits: [String: JSONValue] = [:]
                if let fuel { limits["fuel"] = .number(Double(fuel)) }
                if let memoryBytes { limits["maxMemoryBytes"] = .number(Double(memoryBytes)) }
                if let timeoutMs { limits["timeoutMilliseconds"] = .number(Double(timeoutMs)) }
                if let maxResponseBytes { limits["maxResponseBytes"] = .number(Double(maxResponseBytes)) }
                if let maxConcurrent { limits["maxConcurrent"] = .number(Double(maxConcurrent)) }
                if !limits.isEmpty { body["limits"] = .object(limits) }
                if triggerAll || !triggerTypes.isEmpty || !triggerDocuments.isEmpty || !triggerActions.isEmpty {
                    var trigger: [String: JSONValue] = [:]
                    if !triggerTypes.isEmpty { trigger["documentTypes"] = .array(triggerTypes.map { .string($0) }) }
                    if !triggerDocuments.isEmpty { trigger["documentIDs"] = .array(triggerDocuments.map { .string($0) }) }
                    if !triggerActions.isEmpty { trigger["actionTypes"] = .array(triggerActions.map { .string($0) }) }
                    body["trigger"] = .object(trigger)
                }
                let answer = try await api.client().call(.POST, FunctionsCommand.path(name, "/versions"), body: .object(body))
                if api.json { return Output.json(answer) }
                let id = answer["version"]?["id"]?.stringValue ?? "?"
                let live = answer["version"]?["live"]?.boolValue == true
                let created = answer["created"]?.boolValue == true
                Output.line("\(created ? "deployed" : "unchanged") \(name) \(id)\(live ? " (live)" : " (not live)"): /functions/v1/\(name)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the functions and their live versions.")
        @OptionGroup var api: ServerAPIOptions

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.GET, "/_admin/functions")
                if api.json { return Output.json(answer) }
                let functions = answer["functions"]?.arrayValue ?? []
                if functions.isEmpty { return Output.line("no functions (deploy one with reactor functions deploy NAME FILE)") }
                for function in functions {
                    let name = function["name"]?.stringValue ?? "?"
                    let live = function["live"]?.stringValue ?? "(none live)"
                    let trigger = function["liveVersion"]?["settings"]?["trigger"] != nil ? " trigger" : ""
                    Output.line("\(name)\t\(live)\t\(function["route"]?.stringValue ?? "")\(trigger)")
                }
            }
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a function's versions, oldest first.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The function's name.") var name: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.GET, FunctionsCommand.path(name, "/versions"))
                if api.json { return Output.json(answer) }
                for version in answer["versions"]?.arrayValue ?? [] {
                    let live = version["live"]?.boolValue == true ? "\tlive" : ""
                    Output.line("\(version["id"]?.stringValue ?? "?")\t\(version["createdAt"]?.stringValue ?? "")\t\(version["moduleBytes"]?.intValue ?? 0) bytes\(live)")
                }
            }
        }
    }

    struct Invoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Call a function and print its response body.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The function's name.") var name: String
        @Argument(help: "The path below the function (e.g. /items/1).") var path: String = ""
        @Option(name: [.customShort("X"), .long], help: "The HTTP method.") var method: String = "GET"
        @Option(name: [.customShort("d"), .long], help: "The request body (@file reads a file).") var data: String?
        @Option(name: [.customShort("H"), .long], help: "A request header 'Name: value' (repeat).") var header: [String] = []
        @Option(name: .long, help: "Run this version instead of the live one.") var version: String?
        @Flag(name: [.customShort("i"), .long], help: "Print the status and headers too.") var include = false

        func run() async throws {
            try await Output.guarded(json: api.json) {
                var body: [UInt8]?
                if let data {
                    if data.hasPrefix("@") {
                        guard let contents = FileManager.default.contents(atPath: String(data.dropFirst())) else {
                            throw ReactorError(.invalidArgument, "cannot read '\(data.dropFirst())'", details: ["argument": "data"])
                        }
                        body = Array(contents)
                    } else {
                        body = Array(data.utf8)
                    }
                }
                var headers: [(String, String)] = []
                for line in header {
                    guard let colon = line.firstIndex(of: ":") else {
                        throw ReactorError(.invalidArgument, "--header takes 'Name: value', got '\(line)'", details: ["argument": "header"])
                    }
                    headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
                if body != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                    headers.append(("Content-Type", "application/json"))
                }
                if let version { headers.append(("Reactor-Function-Version", version)) }
                let rest = path.isEmpty ? "" : (path.hasPrefix("/") ? path : "/" + path)
                let encodedName = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? name
                let answer = try await api.client().raw(HTTPMethod(rawValue: method.uppercased()), "/functions/v1/\(encodedName)\(rest)",
                                                        headers: headers, body: body)
                if !(200..<300).contains(answer.status), let json = try? JSONValueCoder.parse(answer.body), json["error"] != nil {
                    throw ServerAPIClient.failure(json, status: answer.status, method, "/functions/v1/\(name)")
                }
                if include {
                    Output.line("HTTP \(answer.status)")
                    for (name, value) in answer.headers { Output.line("\(name): \(value)") }
                    Output.line("")
                }
                FileHandle.standardOutput.write(Data(answer.body))
                if answer.body.last != UInt8(ascii: "\n"), !answer.body.isEmpty { Output.line("") }
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a function's recent invocations and what they logged.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The function's name.") var name: String
        @Flag(name: [.customShort("f"), .long], help: "Keep printing new invocations as they happen.") var follow = false
        @Option(name: .long, help: "The most recent invocations to print first.") var limit: Int = 100

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let client = try api.client()
                if follow {
                    try await client.events(FunctionsCommand.path(name, "/logs?follow=true&limit=\(limit)")) { event, data in
                        guard event == "entry", let entry = try? JSONValueCoder.parse(data) else { return }
                        print(entry)
                    }
                } else {
                    let answer = try await client.call(.GET, FunctionsCommand.path(name, "/logs?limit=\(limit)"))
                    if api.json { return Output.json(answer) }
                    for entry in answer["entries"]?.arrayValue ?? [] { print(entry) }
                }
            }
        }

        func print(_ entry: JSONValue) {
            if api.json { return Output.json(entry) }
            let outcome = entry["error"]?.stringValue.map { "\($0): \(entry["message"]?.stringValue ?? "")" }
                ?? "HTTP \(entry["status"]?.intValue ?? 0)"
            let micros = entry["durationMicroseconds"]?.intValue ?? 0
            Output.line("\(entry["at"]?.stringValue ?? "") \(entry["version"]?.stringValue ?? "") \(entry["trigger"]?.stringValue ?? "") \(outcome) \(String(format: "%.2f", Double(micros) / 1000)) ms")
            for line in entry["lines"]?.arrayValue ?? [] { Output.line("  " + (line.stringValue ?? "")) }
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a version live.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The function's name.") var name: String
        @Argument(help: "The version id (reactor functions versions NAME).") var version: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.POST, FunctionsCommand.path(name, "/promote"), body: ["version": .string(version)])
                if api.json { return Output.json(answer) }
                Output.line("\(name): \(answer["function"]?["live"]?.stringValue ?? "?") is live")
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make the previously live version live again.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The function's name.") var name: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.POST, FunctionsCommand.path(name, "/rollback"))
                if api.json { return Output.json(answer) }
                Output.line("\(name): rolled back, \(answer["function"]?["live"]?.stringValue ?? "?") is live")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a function, its versions and its modules.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The function's name.") var name: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                try await api.client().call(.DELETE, FunctionsCommand.path(name))
                if api.json { return Output.json(["deleted": .string(name)]) }
                Output.line("deleted \(name)")
            }
        }
    }
}
