import Foundation
import ReactorCore
import TOMLKit

extension ReactorConfiguration {
    /// `[sync]`: sync with other reactors: limits and timings, and the remotes of `[[sync.remotes]]`.
    public struct SyncSection: Sendable, Equatable {
        /// `page_size`: the most operations one envelope or page carries (500; 1…10,000).
        public var pageSize: Int
        /// `max_reshuffle`: the most local operations one merge may move before the document is quarantined (1,000; ≥ 0).
        public var maxReshuffle: Int
        /// `creation_wait_seconds`: how long operations wait for their document's creation to arrive (30; ≥ 0).
        public var creationWaitSeconds: Double
        /// `long_poll_seconds`: how long a pull that finds nothing new is held before an empty answer (25; 0 < x ≤ 300).
        public var longPollSeconds: Double
        /// `retry_base_ms`: the first retry delay after a transient failure, doubled per failure (200; ≥ 1).
        public var retryBaseMs: Int
        /// `retry_max_seconds`: the longest retry delay (30; > 0, ≥ `retry_base_ms`).
        public var retryMaxSeconds: Double
        /// `request_timeout_seconds`: how long one request to a peer may take, besides a pull's long-poll wait (60; > 0).
        public var requestTimeoutSeconds: Double
        /// `max_envelope_bytes`: the largest envelope body a peer may push here (33,554,432 = 32 MiB; ≥ 65,536).
        public var maxEnvelopeBytes: Int
        /// `max_page_bytes`: about the most bytes of operations this reactor puts in one envelope or page it sends
        /// (8,388,608 = 8 MiB; ≥ 1,024; a job is never split). Keep it under the peers' `max_envelope_bytes`.
        public var maxPageBytes: Int
        /// `[[sync.remotes]]`: remotes added at boot (or updated, keeping their cursors, when one of that name exists).
        public var remotes: [SyncRemoteEntry]

        /// The `[sync]` section with the given values.
        public init(
            pageSize: Int = 500, maxReshuffle: Int = 1_000, creationWaitSeconds: Double = 30, longPollSeconds: Double = 25,
            retryBaseMs: Int = 200, retryMaxSeconds: Double = 30, requestTimeoutSeconds: Double = 60,
            maxEnvelopeBytes: Int = 32 << 20, maxPageBytes: Int = 8 << 20, remotes: [SyncRemoteEntry] = []
        ) {
            self.maxPageBytes = maxPageBytes
            self.pageSize = pageSize
            self.maxReshuffle = maxReshuffle
            self.creationWaitSeconds = creationWaitSeconds
            self.longPollSeconds = longPollSeconds
            self.retryBaseMs = retryBaseMs
            self.retryMaxSeconds = retryMaxSeconds
            self.requestTimeoutSeconds = requestTimeoutSeconds
            self.maxEnvelopeBytes = maxEnvelopeBytes
            self.remotes = remotes
        }
    }

    /// One `[[sync.remotes]]` table.
    public struct SyncRemoteEntry: Sendable, Equatable {
        /// `name`: the remote's name (letters, digits, `-`, `_`, `.`).
        public var name: String
        /// `url`: the other reactor's base URL (`http://host:port`).
        public var url: String
        /// `token`: the bearer token sent to it; keep it out of the file: `"env:NAME"` or `"vault:path"` (resolved each
        /// time the remote connects).
        public var token: String?
        /// `document_ids`, `document_types`, `drive_id`, `scopes`, `branch`: what is exchanged (empty: everything).
        public var filter: SyncFilter
        /// `since`: only operations written at or after this time (milliseconds since 1970, or an RFC 3339 date).
        public var since: Int64?
        /// `pull`: `live` (default), `manual` or `off`.
        public var pull: SyncRemote.PullMode
        /// `push`: whether this reactor pushes its changes (true).
        public var push: Bool
        /// `paused`: when given, the remote is paused or resumed at boot; when absent, a remote that exists keeps its
        /// state (a pause made over the API survives a restart).
        public var paused: Bool?

        public init(
            name: String, url: String, token: String? = nil, filter: SyncFilter = SyncFilter(), since: Int64? = nil,
            pull: SyncRemote.PullMode = .live, push: Bool = true, paused: Bool? = nil
        ) {
            self.name = name
            self.url = url
            self.token = token
            self.filter = filter
            self.since = since
            self.pull = pull
            self.push = push
            self.paused = paused
        }

        /// The remote this entry describes, keeping what the entry does not set from `existing` (its channel id,
        /// creation time and, unless `paused` is given, its paused state). Cursors are kept apart from the remote, so
        /// an updated remote resumes where it was.
        public func remote(updating existing: SyncRemote?) -> SyncRemote {
            var remote = existing ?? SyncRemote(name: name, channel: SyncChannelConfig(url: url))
            remote.channel = SyncChannelConfig(url: url, token: token)
            remote.filter = filter
            remote.options = SyncRemote.Options(since: since, pull: pull, push: push)
            remote.paused = paused ?? existing?.paused ?? false
            return remote
        }
    }
}

extension ReactorConfiguration {
    /// The keys of a `[[sync.remotes]]` table.
    static let syncRemoteKeys = ["name", "url", "token", "document_ids", "document_types", "drive_id", "scopes", "branch", "since",
                                 "pull", "push", "paused"]

    /// Reads the `[[sync.remotes]]` array of tables (`value`, at `sync.remotes` of `path`).
    mutating func applySyncRemotes(_ value: TOMLValueReader, source: (String) -> ConfigSource, problems: inout ConfigProblems) {
        guard let tables = value.tables else {
            problems.add("sync.remotes", "expected an array of tables [[sync.remotes]], got \(value.typeName)", source: source("sync.remotes"))
            return
        }
        var entries: [SyncRemoteEntry] = []
        origins.syncRemoteTables = []
        for (index, table) in tables.enumerated() {
            let prefix = "sync.remotes[\(index)]"
            func problem(_ key: String, _ message: String) { problems.add("\(prefix).\(key)", message, source: source("\(prefix).\(key)")) }
            var ok = true
            for key in table.keys.sorted() where !Self.syncRemoteKeys.contains(key) {
                let hint = ConfigLoader.closest(key, Self.syncRemoteKeys).map { " (did you mean \($0)?)" } ?? ""
                problem(key, "unknown key\(hint); [[sync.remotes]] has " + Self.syncRemoteKeys.joined(separator: ", "))
                ok = false
            }
            func string(_ key: String) -> String? {
                guard let v = table[key] else { return nil }
                guard let s = v.string else { problem(key, "expected a string, got \(v.typeName)"); ok = false; return nil }
                return s
            }
            func strings(_ key: String) -> [String] {
                guard let v = table[key] else { return [] }
                guard let s = v.strings else { problem(key, "expected an array of strings, got \(v.typeName)"); ok = false; return [] }
                return s
            }
            func bool(_ key: String) -> Bool? {
                guard let v = table[key] else { return nil }
                guard let b = v.bool else { problem(key, "expected a boolean (true or false), got \(v.typeName)"); ok = false; return nil }
                return b
            }
            let name = string("name")
            let url = string("url")
            if table["name"] == nil { problems.add("\(prefix).name", "is required", source: source(prefix)); ok = false }
            if table["url"] == nil { problems.add("\(prefix).url", "is required", source: source(prefix)); ok = false }
            var pull = SyncRemote.PullMode.live
            if let text = string("pull") {
                if let mode = SyncRemote.PullMode(rawValue: text) { pull = mode } else {
                    problem("pull", "must be one of \"live\", \"manual\", \"off\", got \(ConfigValue.tomlString(text))")
                    ok = false
                }
            }
            var since: Int64?
            if let v = table["since"] {
                if let ms = v.int {
                    since = Int64(ms)
                } else if let text = v.string, let ms = Clock.milliseconds(rfc3339: text) {
                    since = ms
                } else {
                    problem("since", "expected milliseconds since 1970 or an RFC 3339 date (\"2025-01-31T00:00:00Z\"), got \(v.typeName)")
                    ok = false
                }
            }
            let filter = SyncFilter(documentIDs: strings("document_ids"), documentTypes: strings("document_types"), driveID: string("drive_id"),
                                    scopes: strings("scopes"), branch: string("branch") ?? Branch.main)
            let token = string("token")
            let push = bool("push") ?? true
            let paused = bool("paused")
            guard ok, let name, let url else { continue }
            for key in table.keys { origins["\(prefix).\(key)"] = source("\(prefix).\(key)") }
            origins[prefix] = source(prefix)
            origins.syncRemoteTables.append(index)
            entries.append(SyncRemoteEntry(name: name, url: url, token: token, filter: filter, since: since, pull: pull, push: push, paused: paused))
        }
        sync.remotes = entries
    }

    /// The problems of `[sync]` and each `[[sync.remotes]]` table.
    func syncProblems(_ problems: inout ConfigProblems) {
        func add(_ key: String, _ message: String) { problems.add(key, message, source: origins[key]) }
        if !(1...10_000).contains(sync.pageSize) { add("sync.page_size", "must be in 1…10000, got \(sync.pageSize)") }
        if sync.maxReshuffle < 0 { add("sync.max_reshuffle", "must be 0 or more, got \(sync.maxReshuffle)") }
        if !(sync.creationWaitSeconds >= 0 && sync.creationWaitSeconds.isFinite) {
            add("sync.creation_wait_seconds", "must be a number of at least 0, got \(sync.creationWaitSeconds)")
        }
        if !(sync.longPollSeconds > 0 && sync.longPollSeconds <= 300) {
            add("sync.long_poll_seconds", "must be a number greater than 0 and at most 300, got \(sync.longPollSeconds)")
        }
        if sync.retryBaseMs < 1 { add("sync.retry_base_ms", "must be at least 1, got \(sync.retryBaseMs)") }
        if !(sync.retryMaxSeconds > 0 && sync.retryMaxSeconds.isFinite) {
            add("sync.retry_max_seconds", "must be a number greater than 0, got \(sync.retryMaxSeconds)")
        } else if sync.retryMaxSeconds * 1000 < Double(sync.retryBaseMs) {
            add("sync.retry_max_seconds", "must be at least sync.retry_base_ms (\(sync.retryBaseMs) ms), got \(sync.retryMaxSeconds)")
        }
        if !(sync.requestTimeoutSeconds > 0 && sync.requestTimeoutSeconds.isFinite) {
            add("sync.request_timeout_seconds", "must be a number greater than 0, got \(sync.requestTimeoutSeconds)")
        }
        if sync.maxEnvelopeBytes < 65_536 { add("sync.max_envelope_bytes", "must be at least 65536, got \(sync.maxEnvelopeBytes)") }
        if sync.maxPageBytes < 1_024 { add("sync.max_page_bytes", "must be at least 1024, got \(sync.maxPageBytes)") }
        var seen: [String: Int] = [:]
        for (position, entry) in sync.remotes.enumerated() {
            let tables = origins.syncRemoteTables
            let index = tables.count == sync.remotes.count ? tables[position] : position
            let prefix = "sync.remotes[\(index)]"
            func remoteProblem(_ key: String, _ message: String) {
                problems.add("\(prefix).\(key)", message, source: origins["\(prefix).\(key)"] == .defaultValue ? origins[prefix] : origins["\(prefix).\(key)"])
            }
            if let first = seen[entry.name] {
                remoteProblem("name", "the name \(ConfigValue.tomlString(entry.name)) is used by sync.remotes[\(first)] too")
            } else {
                seen[entry.name] = index
            }
            let remote = entry.remote(updating: nil)
            let keyOf: [String: String] = [
                "name": "name", "channel.url": "url", "channel.token": "token", "filter.branch": "branch", "filter.driveId": "drive_id",
            ]
            do {
                try remote.validate()
            } catch let error as ReactorError {
                let path = error.details["path"] ?? ""
                let key = keyOf[path] ?? (path.hasPrefix("filter.documentIds") ? "document_ids"
                    : path.hasPrefix("filter.documentTypes") ? "document_types" : path.hasPrefix("filter.scopes") ? "scopes" : "name")
                remoteProblem(key, error.message)
            } catch {
                remoteProblem("name", "\(error)")
            }
            let lower = entry.url.lowercased()
            if !(lower.hasPrefix("http://") || lower.hasPrefix("https://")), lower.hasPrefix("inprocess:") {
                remoteProblem("url", "must start with http:// or https://")
            }
            if let token = entry.token, let problem = SecretReference(token).syntaxProblem { remoteProblem("token", problem) }
            if let since = entry.since, since < 0 { remoteProblem("since", "must not be before 1970") }
        }
    }
}

/// A TOML value as `[[sync.remotes]]` reads it.
struct TOMLValueReader {
    let value: TOMLValue

    var typeName: String { ConfigLoader.describe(value.type) }
    var string: String? { value.type == .string ? value.string : nil }
    var int: Int? { value.type == .int ? value.int : nil }
    var bool: Bool? { value.type == .bool ? value.bool : nil }

    var strings: [String]? {
        guard value.type == .array, let array = value.array else { return nil }
        var out: [String] = []
        for index in 0..<array.count {
            let element = array[index].tomlValue
            guard element.type == .string, let text = element.string else { return nil }
            out.append(text)
        }
        return out
    }

    /// The tables of an array of tables.
    var tables: [[String: TOMLValueReader]]? {
        guard value.type == .array, let array = value.array else { return nil }
        var out: [[String: TOMLValueReader]] = []
        for index in 0..<array.count {
            let element = array[index].tomlValue
            guard element.type == .table, let table = element.table else { return nil }
            var entry: [String: TOMLValueReader] = [:]
            for key in table.keys {
                if let v = table[key]?.tomlValue { entry[key] = TOMLValueReader(value: v) }
            }
            out.append(entry)
        }
        return out
    }
}
