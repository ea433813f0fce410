/// The storage a store adapter gives sync: small JSON records by (kind, key), in the same database as the operations
/// so that remotes, channels, dead letters and quarantines survive restarts with the data they describe.
/// ``SyncStore`` gives them types; adapters only keep text.
public protocol SyncRecordStore: Sendable {
    /// Stores `value` under (`kind`, `key`), replacing what was there.
    func putSyncRecord(kind: String, key: String, value: String) async throws
    /// Stores `value` under (`kind`, `key`) unless something is there already; returns what is stored afterwards.
    func insertSyncRecordIfAbsent(kind: String, key: String, value: String) async throws -> String
    /// The value under (`kind`, `key`), or nil.
    func syncRecord(kind: String, key: String) async throws -> String?
    /// Up to `limit` records of `kind` whose key is greater than `after` (nil: from the first), ordered by key.
    func syncRecords(kind: String, after: String?, limit: Int) async throws -> [SyncRecord]
    /// Deletes the record under (`kind`, `key`), or every record of `kind` when `key` is nil. Returns how many went.
    @discardableResult
    func deleteSyncRecords(kind: String, key: String?) async throws -> Int
}

/// One record of a ``SyncRecordStore``.
public struct SyncRecord: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
