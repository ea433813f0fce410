/// The schema-qualified table names of one store and its advisory lock keys.
///
/// The schema name is validated by ``PostgresStoreConfiguration/validate()`` (lower-case letters, digits, `_`) and
/// quoted, so splicing these names into SQL text is safe; every *value* is a bind parameter.
struct PostgresTables: Sendable {
    /// The quoted schema name.
    let schema: String
    let documents: String
    let streams: String
    let operations: String
    let keyframes: String
    let relationships: String
    let cursors: String
    let jobs: String
    let nodes: String
    let syncRecords: String
    let migrations: String
    /// The transaction-level advisory lock every write transaction took first up to schema version 3 (see
    /// ``PostgresStore``, "Ordinals"); version 4's migration takes it to wait for writers of an older version.
    let writeLockKey: Int64
    /// The transaction-level advisory lock that serialises ``PostgresStore/migrate()`` across nodes.
    let migrationLockKey: Int64

    init(schema name: String) {
        let s = "\"\(name)\""
        schema = s
        documents = s + ".documents"
        streams = s + ".streams"
        operations = s + ".operations"
        keyframes = s + ".keyframes"
        relationships = s + ".relationships"
        cursors = s + ".cursors"
        jobs = s + ".jobs"
        nodes = s + ".nodes"
        syncRecords = s + ".sync_records"
        migrations = s + ".schema_migrations"
        writeLockKey = Self.lockKey("reactor.write:" + name)
        migrationLockKey = Self.lockKey("reactor.migrate:" + name)
    }

    /// A stable 64-bit key (FNV-1a of the UTF-8 bytes): every node computes the same key for the same schema.
    static func lockKey(_ text: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
