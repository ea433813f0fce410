import ReactorConfig
import ReactorCore
import ReactorEngine

/// `POST /reactor/v1/sync/remotes`: a new remote. Unknown fields are refused (a misspelt `tokne` must not be dropped
/// silently).
struct NewRemoteBody: Decodable {
    var name: String
    var url: String
    var token: String?
    var filter: SyncFilter?
    var options: SyncRemote.Options?
    var paused: Bool?

    static let fields: Set<String> = ["name", "url", "token", "filter", "options", "paused"]
    static let filterFields: Set<String> = ["documentIds", "documentTypes", "driveId", "scopes", "branch"]
    static let optionFields: Set<String> = ["since", "pull", "push"]

    /// Decodes and checks the body: every field, the url (http or https only), the token reference's syntax.
    static func decode(_ value: JSONValue) throws -> SyncRemote {
        try SyncJSON.rejectUnknown(value, allowed: fields, path: "")
        if let filter = value["filter"], filter != .null { try SyncJSON.rejectUnknown(filter, allowed: filterFields, path: "filter.") }
        if let options = value["options"], options != .null { try SyncJSON.rejectUnknown(options, allowed: optionFields, path: "options.") }
        let body = try JSONValueCoder.decode(NewRemoteBody.self, from: value)
        let remote = SyncRemote(name: body.name, channel: SyncChannelConfig(url: body.url, token: body.token),
                                filter: body.filter ?? SyncFilter(), options: body.options ?? SyncRemote.Options(), paused: body.paused ?? false)
        try SyncJSON.check(remote)
        return remote
    }
}

/// `PATCH /reactor/v1/sync/remotes/{name}`: `{"paused": true|false}`.
struct PatchRemoteBody: Decodable {
    var paused: Bool

    static func decode(_ value: JSONValue) throws -> PatchRemoteBody {
        try SyncJSON.rejectUnknown(value, allowed: ["paused"], path: "")
        return try JSONValueCoder.decode(PatchRemoteBody.self, from: value)
    }
}

/// JSON checks and shapes of the sync endpoints.
enum SyncJSON {
    /// `INVALID_INPUT` naming the first field of `value` (an object) that is not in `allowed`.
    static func rejectUnknown(_ value: JSONValue, allowed: Set<String>, path: String) throws {
        guard let object = value.objectValue else { return }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ReactorError.invalidInput("unknown field '\(path)\(unknown)'; the fields are \(allowed.sorted().joined(separator: ", "))",
                                            path: path + unknown)
        }
    }

    /// Checks a remote given over the API or in `Reactor.toml`: ``SyncRemote/validate()``, an http(s) url (the
    /// `inprocess:` scheme is for reactors embedded in one process), a well-formed token reference.
    static func check(_ remote: SyncRemote) throws {
        try remote.validate()
        let lower = remote.channel.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw ReactorError.invalidInput("a remote's url must start with http:// or https://", path: "url")
        }
        if let token = remote.channel.token, let problem = SecretReference(token).syntaxProblem {
            throw ReactorError.invalidInput("token: \(problem)", path: "token")
        }
        if let since = remote.options.since, since < 0 {
            throw ReactorError.invalidInput("'options.since' must be a time in milliseconds since 1970", path: "options.since")
        }
    }

    /// A remote as the API shows it, with its status beside its settings: `state`, `lastError`, `peerId`, the
    /// cursors, `pushLag`, `deadLetters`, `quarantined` and the operation counts. The token is never shown: `"***"`
    /// when one is set.
    static func remote(_ status: SyncRemoteStatus) throws -> JSONValue {
        let remote = status.remote
        return .object([
            "name": .string(remote.name),
            "url": .string(remote.channel.url),
            "token": remote.channel.token == nil ? .null : .string("***"),
            "filter": try JSONValueCoder.encode(remote.filter),
            "options": try JSONValueCoder.encode(remote.options),
            "paused": .bool(remote.paused),
            "channelId": .string(remote.channelID),
            "createdAt": .number(Double(remote.createdAt)),
            "state": .string(status.state.rawValue),
            // The caller manages remotes (an admin): the error's own message says what the peer answered.
            "lastError": status.lastError.map { .object(["code": .string($0.code.rawValue), "message": .string($0.message)]) } ?? .null,
            "peerId": status.peerID.map { .string($0) } ?? .null,
            "pushCursor": .number(Double(status.pushCursor)),
            "pullCursor": .number(Double(status.pullCursor)),
            "pushLag": .number(Double(status.pushLag)),
            "deadLetters": .number(Double(status.deadLetters)),
            "quarantined": .array(status.quarantined.map { .string($0) }),
            "pushedOperations": .number(Double(status.pushedOperations)),
            "pulledOperations": .number(Double(status.pulledOperations)),
        ])
    }
}
