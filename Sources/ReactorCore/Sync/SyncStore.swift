import Foundation

/// Sync's persisted state, typed: this reactor's id, remotes, channels peers registered, cursors, dead letters and
/// quarantines. Kept as JSON records in the reactor's own store (``SyncRecordStore``).
public struct SyncStore: Sendable {
    /// Which way a cursor counts.
    public enum Direction: String, Sendable, Hashable, CaseIterable {
        /// The last of this reactor's ordinals the peer acknowledged.
        case push
        /// The last of the peer's ordinals this reactor applied.
        case pull
    }

    public let records: any SyncRecordStore

    public init(_ records: any SyncRecordStore) {
        self.records = records
    }

    private enum Kind {
        static let identity = "identity"
        static let remote = "remote"
        static let channel = "channel"
        static let cursor = "cursor"
        static func deadLetters(_ peer: String) -> String { "dead-letter/\(peer)" }
        static func quarantine(_ peer: String) -> String { "quarantine/\(peer)" }
    }

    /// This reactor's id for its peers: created on first use, then stable for the life of the store.
    public func reactorID() async throws -> String {
        try await records.insertSyncRecordIfAbsent(kind: Kind.identity, key: "reactor", value: UUID().uuidString.lowercased())
    }

    // MARK: Remotes

    public func saveRemote(_ remote: SyncRemote) async throws {
        try await records.putSyncRecord(kind: Kind.remote, key: remote.name, value: try Self.encode(remote))
    }

    public func remote(named name: String) async throws -> SyncRemote? {
        guard let text = try await records.syncRecord(kind: Kind.remote, key: name) else { return nil }
        return try Self.decode(SyncRemote.self, text, record: "sync remote")
    }

    /// Every remote, by name.
    public func remotes() async throws -> [SyncRemote] {
        try await all(Kind.remote).map { try Self.decode(SyncRemote.self, $0.value, record: "sync remote") }
    }

    /// Deletes a remote with its cursors, dead letters and quarantines. Returns false when there was none.
    @discardableResult
    public func deleteRemote(named name: String) async throws -> Bool {
        let deleted = try await records.deleteSyncRecords(kind: Kind.remote, key: name) > 0
        try await forget(.remote(name))
        return deleted
    }

    // MARK: Channels (peers that registered with this reactor)

    public func saveChannel(_ channel: SyncChannelRecord) async throws {
        try await records.putSyncRecord(kind: Kind.channel, key: channel.registration.channelID, value: try Self.encode(channel))
    }

    public func channel(id: String) async throws -> SyncChannelRecord? {
        guard let text = try await records.syncRecord(kind: Kind.channel, key: id) else { return nil }
        return try Self.decode(SyncChannelRecord.self, text, record: "sync channel")
    }

    public func channels() async throws -> [SyncChannelRecord] {
        try await all(Kind.channel).map { try Self.decode(SyncChannelRecord.self, $0.value, record: "sync channel") }
    }

    @discardableResult
    public func deleteChannel(id: String) async throws -> Bool {
        let deleted = try await records.deleteSyncRecords(kind: Kind.channel, key: id) > 0
        try await forget(.channel(id))
        return deleted
    }

    // MARK: Cursors

    /// The cursor of `peer` in `direction` (0 before the first exchange).
    public func cursor(_ peer: SyncPeer, _ direction: Direction) async throws -> Int64 {
        guard let text = try await records.syncRecord(kind: Kind.cursor, key: "\(peer.key)/\(direction.rawValue)") else { return 0 }
        guard let value = Int64(text) else { throw ReactorError(.storage, "a stored sync cursor is corrupt and cannot be read", details: ["record": "sync cursor"]) }
        return value
    }

    public func saveCursor(_ peer: SyncPeer, _ direction: Direction, _ ordinal: Int64) async throws {
        try await records.putSyncRecord(kind: Kind.cursor, key: "\(peer.key)/\(direction.rawValue)", value: String(ordinal))
    }

    // MARK: Dead letters and quarantine

    /// Adds dead letters (their ids order them).
    public func addDeadLetter(_ letter: SyncDeadLetter) async throws {
        try await records.putSyncRecord(kind: Kind.deadLetters(letter.peer), key: letter.id, value: try Self.encode(letter))
    }

    /// A peer's dead letters, oldest first, after the one with id `after`.
    public func deadLetters(_ peer: SyncPeer, after: String? = nil, limit: Int = 100) async throws -> [SyncDeadLetter] {
        try await records.syncRecords(kind: Kind.deadLetters(peer.key), after: after, limit: limit)
            .map { try Self.decode(SyncDeadLetter.self, $0.value, record: "sync dead letter") }
    }

    @discardableResult
    public func deleteDeadLetter(_ peer: SyncPeer, id: String) async throws -> Bool {
        try await records.deleteSyncRecords(kind: Kind.deadLetters(peer.key), key: id) > 0
    }

    public func quarantine(_ entry: SyncQuarantine) async throws {
        _ = try await records.insertSyncRecordIfAbsent(kind: Kind.quarantine(entry.peer), key: entry.documentID, value: try Self.encode(entry))
    }

    public func quarantine(_ peer: SyncPeer, documentID: String) async throws -> SyncQuarantine? {
        guard let text = try await records.syncRecord(kind: Kind.quarantine(peer.key), key: documentID) else { return nil }
        return try Self.decode(SyncQuarantine.self, text, record: "sync quarantine")
    }

    public func quarantined(_ peer: SyncPeer) async throws -> [SyncQuarantine] {
        try await all(Kind.quarantine(peer.key)).map { try Self.decode(SyncQuarantine.self, $0.value, record: "sync quarantine") }
    }

    @discardableResult
    public func release(_ peer: SyncPeer, documentID: String) async throws -> Bool {
        try await records.deleteSyncRecords(kind: Kind.quarantine(peer.key), key: documentID) > 0
    }

    /// A new dead-letter id: sortable by time.
    public static func newDeadLetterID(now: Int64 = Clock.nowMilliseconds()) -> String {
        let time = String(now)
        return String(repeating: "0", count: max(0, 15 - time.count)) + time + "-" + UUID().uuidString.lowercased().prefix(8)
    }

    // MARK: -

    private func forget(_ peer: SyncPeer) async throws {
        for direction in Direction.allCases {
            try await records.deleteSyncRecords(kind: Kind.cursor, key: "\(peer.key)/\(direction.rawValue)")
        }
        try await records.deleteSyncRecords(kind: Kind.deadLetters(peer.key), key: nil)
        try await records.deleteSyncRecords(kind: Kind.quarantine(peer.key), key: nil)
    }

    private func all(_ kind: String) async throws -> [SyncRecord] {
        var out: [SyncRecord] = []
        var after: String?
        while true {
            let page = try await records.syncRecords(kind: kind, after: after, limit: 500)
            out += page
            guard page.count == 500, let last = page.last else { return out }
            after = last.key
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, record: String) throws -> T {
        try StoredRecord.decode(record) { try JSONDecoder().decode(T.self, from: Data(text.utf8)) }
    }
}
