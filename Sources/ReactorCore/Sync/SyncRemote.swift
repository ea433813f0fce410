import Foundation

/// Another reactor this one syncs with: where it is, what is exchanged, and how.
public struct SyncRemote: Sendable, Hashable, Codable {
    /// How the remote receives this reactor's changes and sends its own.
    public struct Options: Sendable, Hashable, Codable {
        /// Only operations written at or after this time (milliseconds since 1970) are exchanged (nil: all).
        public var since: Int64?
        /// How changes are pulled from the remote.
        public var pull: PullMode
        /// Whether this reactor pushes its changes to the remote.
        public var push: Bool

        public init(since: Int64? = nil, pull: PullMode = .live, push: Bool = true) {
            self.since = since
            self.pull = pull
            self.push = push
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            since = try c.decodeIfPresent(Int64.self, forKey: .since)
            pull = try c.decodeIfPresent(PullMode.self, forKey: .pull) ?? .live
            push = try c.decodeIfPresent(Bool.self, forKey: .push) ?? true
        }

        private enum CodingKeys: String, CodingKey { case since, pull, push }
    }

    /// How changes are pulled.
    public enum PullMode: String, Sendable, Hashable, Codable, CaseIterable {
        /// Continuously: a long poll that the remote answers as soon as it has something new.
        case live
        /// Only when asked (``SyncManager/pull(_:)``, `reactor sync pull`).
        case manual
        /// Never: this reactor only pushes.
        case off
    }

    /// The remote's name, unique in this reactor (an identifier: letters, digits, `-`, `_`, `.`).
    public var name: String
    /// How to reach the remote.
    public var channel: SyncChannelConfig
    /// What is exchanged.
    public var filter: SyncFilter
    public var options: Options
    /// A paused remote neither pushes nor pulls; its cursors are kept.
    public var paused: Bool
    /// The id of this reactor's channel on the remote: chosen when the remote is added, kept for its lifetime, so
    /// the remote recognises this reactor across restarts.
    public var channelID: String
    /// When the remote was added (milliseconds since 1970).
    public var createdAt: Int64

    public init(
        name: String, channel: SyncChannelConfig, filter: SyncFilter = SyncFilter(), options: Options = Options(),
        paused: Bool = false, channelID: String = UUID().uuidString.lowercased(), createdAt: Int64 = Clock.nowMilliseconds()
    ) {
        self.name = name
        self.channel = channel
        self.filter = filter
        self.options = options
        self.paused = paused
        self.channelID = channelID
        self.createdAt = createdAt
    }

    /// Checks the name, the channel and the filter.
    public func validate() throws {
        try Identifiers.remoteName.check(name, path: "name")
        try channel.validate()
        try filter.validate()
        try Identifiers.channelID.check(channelID, path: "channelId")
    }

    private enum CodingKeys: String, CodingKey {
        case name, channel, filter, options, paused, channelID = "channelId", createdAt
    }
}

/// How to reach a remote reactor over HTTP.
public struct SyncChannelConfig: Sendable, Hashable, Codable {
    /// The remote's base URL (`http://host:port`); the sync endpoints are under `/reactor/v1/sync`. The scheme
    /// `inprocess:` names a reactor in the same process (tests).
    public var url: String
    /// The bearer token sent to the remote: literal, or a `vault:`/`env:` reference resolved when connecting.
    public var token: String?

    public init(url: String, token: String? = nil) {
        self.url = url
        self.token = token
    }

    /// Checks that the URL is absolute http(s) (or `inprocess:`), without credentials or fragment.
    public func validate() throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("inprocess:") else {
            throw ReactorError.invalidInput("a remote's url must start with http:// or https://", path: "channel.url")
        }
        guard url.utf8.count <= 2_048, !url.contains("#"), !url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
            throw ReactorError.invalidInput("a remote's url must be at most 2048 bytes, without spaces, control characters or a fragment",
                                            path: "channel.url")
        }
        if let at = url.firstIndex(of: "@"), let slash = url.dropFirst(8).firstIndex(of: "/"), at < slash {
            throw ReactorError.invalidInput("put the remote's credentials in 'token', not in its url", path: "channel.url")
        }
        if let token, token.isEmpty || token.utf8.count > 8_192 {
            throw ReactorError.invalidInput("a remote's token must be 1 to 8192 bytes", path: "channel.token")
        }
    }
}
