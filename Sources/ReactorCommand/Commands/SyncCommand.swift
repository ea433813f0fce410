import ArgumentParser
import Foundation
import ReactorCore

/// `reactor sync add|ls|rm|status|pull|pause|resume`: the sync remotes of a running server, over its HTTP API
/// (`/reactor/v1/sync/remotes`).
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Manage the sync remotes of a running server (other reactors it exchanges operations with).",
        discussion: """
            These commands call the server's API: --server (or $REACTOR_SERVER_URL, else server.bind of the
            configuration) says where it runs, and the local admin token of its data directory (or --api-token,
            $REACTOR_API_TOKEN: a bearer token with the 'admin' role) is the credential.
            """,
        subcommands: [Add.self, List.self, Remove.self, Status.self, Pull.self, Pause.self, Resume.self]
    )

    static func path(_ name: String) -> String {
        "/reactor/v1/sync/remotes/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? name)
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a remote and start syncing with it.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The remote's name (letters, digits, - _ .).") var name: String
        @Argument(help: "The other reactor's base URL, e.g. http://10.0.0.2:8000.") var url: String
        @Option(name: .long, help: "The bearer token sent to the remote: literal, env:NAME or vault:path (resolved by the server).")
        var token: String?
        @Option(name: .customLong("document-type"), help: "Only documents of this type (repeat for several).") var documentTypes: [String] = []
        @Option(name: .customLong("document-id"), help: "Only this document (repeat for several).") var documentIDs: [String] = []
        @Option(name: .customLong("drive"), help: "Only this drive and its children.") var drive: String?
        @Option(name: .customLong("scope"), help: "Only this scope (repeat for several).") var scopes: [String] = []
        @Option(name: .long, help: "The branch exchanged.") var branch: String?
        @Option(name: .long, help: "Only operations written at or after this time: an RFC 3339 date or milliseconds since 1970.")
        var since: String?
        @Option(name: .long, help: "How the remote's changes are pulled: live, manual (reactor sync pull) or off.") var pull: String?
        @Flag(name: .customLong("no-push"), help: "Do not push this reactor's changes to the remote.") var noPush = false
        @Flag(name: .long, help: "Add the remote paused.") var paused = false

        func run() async throws {
            try await Output.guarded(json: api.json) {
                var filter: [String: JSONValue] = [:]
                if !documentTypes.isEmpty { filter["documentTypes"] = .array(documentTypes.map { .string($0) }) }
                if !documentIDs.isEmpty { filter["documentIds"] = .array(documentIDs.map { .string($0) }) }
                if let drive { filter["driveId"] = .string(drive) }
                if !scopes.isEmpty { filter["scopes"] = .array(scopes.map { .string($0) }) }
                if let branch { filter["branch"] = .string(branch) }
                var options: [String: JSONValue] = ["push": .bool(!noPush)]
                if let pull {
                    guard ["live", "manual", "off"].contains(pull) else {
                        throw ReactorError(.invalidArgument, "--pull must be live, manual or off, got '\(pull)'")
                    }
                    options["pull"] = .string(pull)
                }
                if let since { options["since"] = .number(Double(try Self.milliseconds(since))) }
                var body: [String: JSONValue] = ["name": .string(name), "url": .string(url), "filter": .object(filter),
                                                 "options": .object(options), "paused": .bool(paused)]
                if let token { body["token"] = .string(token) }
                let remote = try await api.client().call(.POST, "/reactor/v1/sync/remotes", body: .object(body))
                if api.json { Output.json(remote) } else { Output.line("added \(name) → \(url) (\(SyncCommand.state(remote)))") }
            }
        }

        static func milliseconds(_ text: String) throws -> Int64 {
            if let ms = Int64(text), ms >= 0 { return ms }
            let formatter = ISO8601DateFormatter()
            for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
                formatter.formatOptions = options
                if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
            }
            throw ReactorError(.invalidArgument, "--since must be an RFC 3339 date (2025-01-31T00:00:00Z) or milliseconds since 1970, got '\(text)'")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the remotes with their state.")
        @OptionGroup var api: ServerAPIOptions

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let answer = try await api.client().call(.GET, "/reactor/v1/sync/remotes")
                if api.json { return Output.json(answer) }
                let items = answer["items"]?.arrayValue ?? []
                if items.isEmpty { return Output.line("no remotes (add one with `reactor sync add NAME URL`)") }
                for remote in items { Output.line(SyncCommand.summary(remote)) }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Stop syncing with a remote and forget it (cursors, dead letters).")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The remote's name.") var name: String

        func run() async throws {
            try await Output.guarded(json: api.json) {
                try await api.client().call(.DELETE, SyncCommand.path(name))
                if api.json { Output.json(.object(["removed": .string(name)])) } else { Output.line("removed \(name)") }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a remote's connection, cursors, lag and dead letters (every remote without a name).")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The remote's name.") var name: String?

        func run() async throws {
            try await Output.guarded(json: api.json) {
                let client = try api.client()
                let remotes: [JSONValue]
                if let name {
                    remotes = [try await client.call(.GET, SyncCommand.path(name))]
                } else {
                    remotes = try await client.call(.GET, "/reactor/v1/sync/remotes")["items"]?.arrayValue ?? []
                }
                if api.json { return Output.json(name == nil ? .object(["items": .array(remotes)]) : remotes[0]) }
                if remotes.isEmpty { return Output.line("no remotes") }
                for remote in remotes { SyncCommand.details(remote).forEach(Output.line) }
            }
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pull from a remote now and wait until it is applied.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The remote's name.") var name: String
        @Option(name: .long, help: "The most seconds to wait (1 to 300).") var timeout: Int = 60

        func run() async throws {
            try await Output.guarded(json: api.json) {
                guard (1...300).contains(timeout) else { throw ReactorError(.invalidArgument, "--timeout must be 1 to 300 seconds") }
                let remote = try await api.client().call(.POST, SyncCommand.path(name) + "/pull?timeout=\(timeout)",
                                                         timeout: .seconds(timeout + 10))
                if api.json { Output.json(remote) } else { Output.line("pulled \(name): \(SyncCommand.summary(remote))") }
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a remote: nothing is pushed or pulled; cursors are kept.")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The remote's name.") var name: String

        func run() async throws { try await SyncCommand.setPaused(true, name, api) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused remote (or one stopped in the error state).")
        @OptionGroup var api: ServerAPIOptions
        @Argument(help: "The remote's name.") var name: String

        func run() async throws { try await SyncCommand.setPaused(false, name, api) }
    }

    static func setPaused(_ paused: Bool, _ name: String, _ api: ServerAPIOptions) async throws {
        try await Output.guarded(json: api.json) {
            let remote = try await api.client().call(.PATCH, path(name), body: .object(["paused": .bool(paused)]))
            if api.json { Output.json(remote) } else { Output.line("\(paused ? "paused" : "resumed") \(name) (\(state(remote)))") }
        }
    }

    // MARK: Text

    static func state(_ remote: JSONValue) -> String {
        remote["state"]?.stringValue ?? "?"
    }

    static func number(_ value: JSONValue?) -> String {
        value?.intValue.map(String.init) ?? "-"
    }

    /// One line: name, state, url, cursors.
    static func summary(_ remote: JSONValue) -> String {
        let status: JSONValue? = remote
        var line = "\(remote["name"]?.stringValue ?? "?")  \(state(remote))  \(remote["url"]?.stringValue ?? "")"
        line += "  push=\(number(status?["pushCursor"])) pull=\(number(status?["pullCursor"])) lag=\(number(status?["pushLag"]))"
        line += " dead-letters=\(number(status?["deadLetters"]))"
        if let code = status?["lastError"]?["code"]?.stringValue { line += "  error=\(code)" }
        return line
    }

    /// Several lines: everything the status says.
    static func details(_ remote: JSONValue) -> [String] {
        let status: JSONValue? = remote
        var lines = [
            "\(remote["name"]?.stringValue ?? "?")",
            "  url:          \(remote["url"]?.stringValue ?? "")",
            "  token:        \(remote["token"]?.stringValue == nil ? "none" : "set")",
            "  state:        \(state(remote))",
            "  peer:         \(status?["peerId"]?.stringValue ?? "-")",
            "  push cursor:  \(number(status?["pushCursor"])) (lag \(number(status?["pushLag"])), \(number(status?["pushedOperations"])) pushed)",
            "  pull cursor:  \(number(status?["pullCursor"])) (\(number(status?["pulledOperations"])) pulled)",
            "  dead letters: \(number(status?["deadLetters"]))",
            "  filter:       \(remote["filter"]?.canonicalString ?? "{}")",
            "  options:      \(remote["options"]?.canonicalString ?? "{}")",
        ]
        let quarantined = status?["quarantined"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !quarantined.isEmpty { lines.append("  quarantined:  \(quarantined.joined(separator: ", "))") }
        if let error = status?["lastError"], let code = error["code"]?.stringValue {
            lines.append("  error:        \(code): \(error["message"]?.stringValue ?? "")")
        }
        return lines
    }
}
