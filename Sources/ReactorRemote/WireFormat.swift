import ReactorCore

/// The JSON the HTTP API answers with, read back into the domain types (the shapes of the server's
/// `Representations`, documented in `openapi.json`).
enum WireFormat {
    /// `{"header", "state", "hashes"}`.
    static func document(_ json: JSONValue?) throws -> Document {
        try JSONValueCoder.decode(Document.self, from: try required(json, "document"))
    }

    /// `{"items": […], "nextCursor": "…" | null}`.
    static func page<T: Sendable>(_ json: JSONValue, _ item: (JSONValue) throws -> T) throws -> Page<T> {
        Page(items: try (json["items"]?.arrayValue ?? []).map(item), nextCursor: json["nextCursor"]?.stringValue)
    }

    /// A stored operation with its stream and ordinal.
    static func operation(_ json: JSONValue) throws -> OperationRecord {
        try JSONValueCoder.decode(OperationRecord.self, from: json)
    }

    /// A job: its record with its `error` as an error body shows it (and `token`, the consistency token as text).
    static func job(_ json: JSONValue?) throws -> JobInfo {
        guard case .object(var object)? = json else { throw malformed("job") }
        let error = object.removeValue(forKey: "error")
        object["token"] = nil
        var info = try JSONValueCoder.decode(JobInfo.self, from: .object(object))
        if let error, error != .null { info.error = ReactorError(errorBody: .object(["error": error])) }
        return info
    }

    /// A `change` event's data: `{"kind", "documentId", "document", "operations"}`.
    static func change(_ json: JSONValue) throws -> DocumentChange {
        let operations = try (json["operations"]?.arrayValue ?? []).map(operation)
        return DocumentChange(document: try document(json["document"]), operations: operations)
    }

    /// A remote as `/reactor/v1/sync/remotes` shows it: its settings (the token as `"***"` when set) and its status.
    static func remote(_ json: JSONValue) throws -> SyncRemoteStatus {
        func int(_ key: String) -> Int64 { json[key]?.doubleValue.map { Int64($0) } ?? 0 }
        let remote = SyncRemote(
            name: json["name"]?.stringValue ?? "",
            channel: SyncChannelConfig(url: json["url"]?.stringValue ?? "", token: json["token"]?.stringValue),
            filter: try JSONValueCoder.decode(SyncFilter.self, from: json["filter"] ?? .emptyObject),
            options: try JSONValueCoder.decode(SyncRemote.Options.self, from: json["options"] ?? .emptyObject),
            paused: json["paused"]?.boolValue ?? false, channelID: json["channelId"]?.stringValue ?? "", createdAt: int("createdAt"))
        let lastError = json["lastError"].flatMap { ReactorError(errorBody: .object(["error": $0])) }
        return SyncRemoteStatus(
            remote: remote, state: SyncConnectionState(rawValue: json["state"]?.stringValue ?? "") ?? .stopped, lastError: lastError,
            peerID: json["peerId"]?.stringValue, pushCursor: int("pushCursor"), pullCursor: int("pullCursor"), pushLag: int("pushLag"),
            deadLetters: Int(int("deadLetters")), quarantined: (json["quarantined"]?.arrayValue ?? []).compactMap(\.stringValue),
            pushedOperations: Int(int("pushedOperations")), pulledOperations: Int(int("pulledOperations")))
    }

    /// `{"jobId", "remotes": [{"remote", "cursor"}]}`.
    static func acknowledgements(_ json: JSONValue) -> [SyncAcknowledgement] {
        (json["remotes"]?.arrayValue ?? []).map {
            SyncAcknowledgement(remote: $0["remote"]?.stringValue ?? "", cursor: $0["cursor"]?.doubleValue.map { Int64($0) } ?? 0)
        }
    }

    /// The body of `POST /reactor/v1/documents`.
    static func createBody(_ document: NewDocument) -> JSONValue {
        var body: [String: JSONValue] = [
            "documentType": .string(document.documentType), "id": .string(document.id), "name": .string(document.name),
            "branch": .string(document.branch),
        ]
        if let slug = document.slug { body["slug"] = .string(slug) }
        if !document.meta.isEmpty { body["meta"] = .object(document.meta) }
        if let state = document.initialState { body["initialState"] = .object(state) }
        if let version = document.modelVersion { body["modelVersion"] = .number(Double(version)) }
        return .object(body)
    }

    /// The body of `POST /reactor/v1/documents/{id}/actions`.
    static func actionsBody(_ actions: [Action]) throws -> JSONValue {
        .object(["actions": .array(try actions.map { try JSONValueCoder.encode($0) })])
    }

    private static func required(_ json: JSONValue?, _ what: String) throws -> JSONValue {
        guard let json, json != .null else { throw malformed(what) }
        return json
    }

    private static func malformed(_ what: String) -> ReactorError {
        ReactorError(.internal, "the server's answer has no well-formed \(what)")
    }
}
