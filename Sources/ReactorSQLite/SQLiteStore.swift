import Foundation
import GRDB
import ReactorCore

/// A complete ``ReactorStore`` in one SQLite file: the embedded default store.
///
/// The file is opened in WAL mode through a GRDB `DatabasePool`: one writer connection and up to
/// ``SQLiteStoreConfiguration/readerCount`` concurrent readers that never block the writer. Writes are group
/// committed: concurrent ``commit(_:)`` callers share one `BEGIN IMMEDIATE` transaction, each commit inside its own
/// savepoint, so one failing commit rolls back only itself.
///
/// Several stores (in one process or several) may open the same file; SQLite's locks serialise their writers, and
/// lost races surface as typed errors: `REVISION_CONFLICT` (transient) for a stream written concurrently, transient
/// `STORAGE_ERROR` when a lock is not obtained within ``SQLiteStoreConfiguration/busyTimeout``.
///
/// Call ``migrate()`` once after opening (it is idempotent) before any other method.
public final class SQLiteStore: ReactorStore {
    /// The database file.
    public let path: String
    /// The settings the store was opened with.
    public let configuration: SQLiteStoreConfiguration

    let pool: DatabasePool
    private let combiner: CommitCombiner

    /// Opens (creating it and its parent directories if needed) the database file at `path`.
    ///
    /// - Throws: `STORAGE_ERROR` when the directory or the file cannot be created or opened.
    public init(path: String, configuration: SQLiteStoreConfiguration = .init()) throws {
        self.path = path
        self.configuration = configuration
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReactorError(.storage, "cannot create the directory of the SQLite store", details: ["path": path, "underlying": "\(error)"])
        }
        var config = Configuration()
        config.label = "ReactorSQLite"
        config.journalMode = .wal
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.maximumReaderCount = max(1, configuration.readerCount)
        let synchronous = configuration.durability.synchronousPragmaValue
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // Savepoint and statement journals in memory: they only matter inside a transaction.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            // GRDB sets `synchronous = NORMAL` on the writer after enabling WAL, i.e. after `prepareDatabase`.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            self.pool = pool
        } catch {
            throw ReactorError.sqliteFailure(error)
        }
        self.combiner = CommitCombiner(pool: pool)
    }

    /// Creates or upgrades the schema (versioned migrations `v1` …). Idempotent; safe to call from several stores
    /// (processes) on one file at once.
    public func migrate() async throws {
        do {
            try await runMigrations()
        } catch {
            // Another store may have applied the same migration between our check and our write: the second pass
            // sees it applied. A genuine failure fails again.
            do {
                try await runMigrations()
            } catch {
                throw ReactorError.sqliteFailure(error)
            }
        }
    }

    /// The identifiers of the versioned migrations not applied to the file yet (`v1` …), oldest first.
    public func pendingMigrations() async throws -> [String] {
        let migrator = SQLiteSchema.makeMigrator()
        do {
            return try await pool.read { db in
                let applied = try migrator.appliedIdentifiers(db)
                return migrator.migrations.filter { !applied.contains($0) }
            }
        } catch {
            throw ReactorError.sqliteFailure(error)
        }
    }

    private func runMigrations() async throws {
        let migrator = SQLiteSchema.makeMigrator()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            migrator.asyncMigrate(pool) { result in continuation.resume(with: result.map { _ in () }) }
        }
    }

    /// Stores each commit atomically, in order, and reports each one's outcome.
    ///
    /// Concurrent callers are coalesced into shared transactions (group commit); each commit runs in its own
    /// savepoint. Errors: `DOCUMENT_EXISTS`, `DOCUMENT_NOT_FOUND`, `SLUG_TAKEN`, `REVISION_CONFLICT` (transient for a
    /// stream at another revision; with `details["operationId"]` for an operation id already stored),
    /// `OPERATION_GAP`, `STORAGE_ERROR` (transient when the database is busy).
    public func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        await Commit.prepareAndSubmit(
            commits, storeName: "SQLite", prepare: { try PreparedCommit($0) }, mapError: { ReactorError.sqliteFailure($0) },
            submit: { await combiner.submit($0) })
    }

    /// Refuses further commits, waits for those already accepted, and closes every connection.
    public func close() async throws {
        combiner.close()
        do {
            try pool.close()
        } catch {
            throw ReactorError.sqliteFailure(error)
        }
    }

    // MARK: OperationStore

    /// Operations of `stream` with index ≥ `fromIndex`, in index order, at most `limit` of them. Reads only that
    /// range.
    public func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [ReactorCore.Operation] {
        let limit = limit.map { max(0, $0) } ?? -1
        if limit == 0 { return [] }
        return try await read { db in
            let statement = try db.cachedStatement(sql: SQL.streamOperations)
            let rows = try Row.fetchCursor(statement, arguments: [stream.documentID, stream.scope, stream.branch, fromIndex, limit])
            var out: [ReactorCore.Operation] = []
            if limit > 0 { out.reserveCapacity(min(limit, 1024)) }
            while let row = try rows.next() { out.append(try OperationRow.operation(row)) }
            return out
        }
    }

    /// The highest index of an operation of `stream` stamped at or before `timestamp` (the stream's unique index,
    /// read backwards from its end).
    public func lastOperationIndex(in stream: StreamID, atOrBefore timestamp: Int64) async throws -> Int? {
        try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: SQL.lastIndexAtOrBefore), arguments: [stream.documentID, stream.scope, stream.branch, timestamp])
        }
    }

    /// The next index of each scope of a document's branch.
    public func revisions(documentID: String, branch: String) async throws -> [String: Int] {
        try await read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: SQL.revisions), arguments: [documentID, branch])
            var out: [String: Int] = [:]
            while let row = try rows.next() { out[try row.decode(String.self, atIndex: 0)] = try row.decode(Int.self, atIndex: 1) }
            return out
        }
    }

    /// One page of a document's operations matching `query`, in ordinal order; the cursor is the last ordinal.
    public func operations(matching query: OperationQuery, page: PageRequest) async throws -> Page<OperationRecord> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        var sql = "SELECT \(OperationRow.recordColumns) FROM operations WHERE document_id = ? AND branch = ? AND ordinal > ?"
        var arguments: StatementArguments = [query.documentID, query.branch, after]
        if let scopes = query.scopes {
            sql += " AND scope IN (SELECT value FROM json_each(?))"
            arguments += [Self.jsonArray(scopes)]
        }
        if let actionTypes = query.actionTypes {
            sql += " AND action_type IN (SELECT value FROM json_each(?))"
            arguments += [Self.jsonArray(actionTypes)]
        }
        if let fromIndex = query.fromIndex {
            sql += " AND idx >= ?"
            arguments += [fromIndex]
        }
        if let since = query.since {
            sql += " AND timestamp >= ?"
            arguments += [since]
        }
        sql += " ORDER BY ordinal LIMIT ?"
        arguments += [limit + 1]
        let records = try await read { [sql, arguments] db in
            try Self.fetchRecords(db.cachedStatement(sql: sql), arguments: arguments)
        }
        guard records.count > limit else { return Page(items: records, nextCursor: nil) }
        let items = Array(records.prefix(limit))
        return Page(items: items, nextCursor: items.last.map { Page<OperationRecord>.cursor(after: $0.ordinal) })
    }

    /// Operations with ordinal > `ordinal`, in ordinal order, at most `limit`.
    public func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord] {
        guard limit > 0 else { return [] }
        return try await read { db in
            try Self.fetchRecords(db.cachedStatement(sql: SQL.recordsAfterOrdinal), arguments: [ordinal, limit])
        }
    }

    /// The highest ordinal given so far (0 when empty).
    public func latestOrdinal() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db.cachedStatement(sql: SQL.latestOrdinal)) ?? 0 }
    }

    /// Which of these operation ids are stored.
    public func existingOperationIDs(_ ids: [String]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let list = Self.jsonArray(ids)
        return try await read { db in
            try Set(String.fetchCursor(db.cachedStatement(sql: SQL.existingOperationIDs), arguments: [list]))
        }
    }

    // MARK: KeyframeStore

    /// The keyframe of `stream` with the highest index ≤ `index` (the highest overall when `index` is nil).
    public func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe? {
        try await read { db in
            let statement: Statement
            let arguments: StatementArguments
            if let index {
                statement = try db.cachedStatement(sql: SQL.keyframeAtOrBefore)
                arguments = [stream.documentID, stream.scope, stream.branch, index]
            } else {
                statement = try db.cachedStatement(sql: SQL.latestKeyframe)
                arguments = [stream.documentID, stream.scope, stream.branch]
            }
            guard let row = try Row.fetchOne(statement, arguments: arguments) else { return nil }
            return Keyframe(
                stream: stream, index: try row.decode(Int.self, atIndex: 0),
                state: try StoredRecord.json(try row.decode(String.self, atIndex: 1), record: "keyframe"),
                hash: try row.decode(String.self, atIndex: 2))
        }
    }

    // MARK: DocumentViewStore

    /// The header of `id`, deleted or not; nil when unknown.
    public func header(id: String) async throws -> DocumentHeader? {
        try await read { db in try Self.header(id, in: db) }
    }

    /// The stored header of `id`: the `documents` row's header with the marks of its streams applied (schema `v3`,
    /// see ``CommitWriter``), in one statement.
    static func header(_ id: String, in db: Database) throws -> DocumentHeader? {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: SQL.headerWithMarks), arguments: [id])
        guard let first = try rows.next() else { return nil }
        var header = try decodeHeader(try first.decode(String.self, atIndex: 0))
        var row: Row? = first
        while let current = row {
            if let scope = try current.decode(String?.self, atIndex: 1) {
                header.applyMark(scope: scope, revision: try current.decode(Int.self, atIndex: 2), modifiedAt: try current.decode(Int64.self, atIndex: 3))
            }
            row = try rows.next()
        }
        return header
    }

    /// The id of the document with `slug`, if any.
    public func documentID(forSlug slug: String) async throws -> String? {
        try await read { db in try String.fetchOne(db.cachedStatement(sql: SharedSQL.documentIDForSlug), arguments: [slug]) }
    }

    /// One page of headers matching `query`, in creation order; the cursor is the creation sequence number.
    public func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        var sql = "SELECT seq, header FROM documents WHERE seq > ?"
        var arguments: StatementArguments = [after]
        if !query.includeDeleted {
            sql += " AND deleted = 0"
        }
        if let documentType = query.documentType {
            sql += " AND document_type = ?"
            arguments += [documentType]
        }
        if let ids = query.ids {
            sql += " AND id IN (SELECT value FROM json_each(?))"
            arguments += [Self.jsonArray(ids)]
        }
        if let slugs = query.slugs {
            sql += " AND slug IN (SELECT value FROM json_each(?))"
            arguments += [Self.jsonArray(slugs)]
        }
        if let parentID = query.parentID {
            sql += " AND id IN (SELECT target_id FROM relationships WHERE source_id = ? AND type = ?)"
            arguments += [parentID, Relationship.child]
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit + 1]
        let rows = try await readTransaction { [sql, arguments] db in
            var out: [(seq: Int64, header: DocumentHeader)] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            while let row = try rows.next() {
                out.append((try row.decode(Int64.self, atIndex: 0), try Self.decodeHeader(try row.decode(String.self, atIndex: 1))))
            }
            try Self.applyMarks(to: &out, in: db)
            return out
        }
        guard rows.count > limit else { return Page(items: rows.map(\.header), nextCursor: nil) }
        let items = rows.prefix(limit)
        return Page(items: items.map(\.header), nextCursor: items.last.map { Page<DocumentHeader>.cursor(after: $0.seq) })
    }

    /// Relationships held by `sourceID` (of `type`, or all types), ordered by type then target.
    public func relationships(from sourceID: String, type: String?) async throws -> [Relationship] {
        try await fetchRelationships(type == nil ? SQL.relationshipsFrom : SQL.relationshipsFromOfType, sourceID, type)
            .sorted { ($0.type, $0.targetID) < ($1.type, $1.targetID) }
    }

    /// Relationships pointing at `targetID` (of `type`, or all types), ordered by type then source.
    public func relationships(to targetID: String, type: String?) async throws -> [Relationship] {
        try await fetchRelationships(type == nil ? SQL.relationshipsTo : SQL.relationshipsToOfType, targetID, type)
            .sorted { ($0.type, $0.sourceID) < ($1.type, $1.sourceID) }
    }

    // MARK: CursorStore

    /// The last ordinal `name` finished with, or nil if it never ran.
    public func cursor(named name: String) async throws -> Int64? {
        try await read { db in try Int64.fetchOne(db.cachedStatement(sql: SQL.cursor), arguments: [name]) }
    }

    /// Records that `name` finished every operation up to `ordinal` (overwrites the previous value).
    public func saveCursor(named name: String, ordinal: Int64) async throws {
        do {
            try await pool.write { db in
                try db.cachedStatement(sql: SQL.saveCursor).execute(arguments: [name, ordinal])
            }
        } catch {
            throw ReactorError.sqliteReadFailure(error)
        }
    }

    // MARK: Diagnostics

    /// The value of `PRAGMA name` on the writer connection (e.g. `journal_mode`, `synchronous`).
    func pragma(_ name: String) async throws -> String? {
        do {
            return try await pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
        } catch {
            throw ReactorError.sqliteReadFailure(error)
        }
    }

    /// How many write transactions group commit has run so far.
    var writeTransactionCount: Int { combiner.transactionCount }

    // MARK: Helpers

    /// Runs one read on a reader connection. Every read issues a single SQL statement, which SQLite runs on one
    /// consistent snapshot, so no explicit read transaction is needed.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.unsafeRead(body)
        } catch {
            throw ReactorError.sqliteReadFailure(error)
        }
    }

    /// Runs `body` in one read transaction on a reader connection: every statement of it sees the same snapshot.
    func readTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw ReactorError.sqliteReadFailure(error)
        }
    }

    /// Applies the streams' marks (schema `v3`) to headers read from `documents` rows, with one statement.
    private static func applyMarks(to rows: inout [(seq: Int64, header: DocumentHeader)], in db: Database) throws {
        guard !rows.isEmpty else { return }
        var position: [String: Int] = [:]
        for (i, row) in rows.enumerated() { position[row.header.id] = i }
        let marks = try Row.fetchCursor(db.cachedStatement(sql: SQL.marksOfDocuments), arguments: [jsonArray(rows.map(\.header.id))])
        while let mark = try marks.next() {
            guard let i = position[try mark.decode(String.self, atIndex: 0)] else { continue }
            rows[i].header.applyMark(
                scope: try mark.decode(String.self, atIndex: 1), revision: try mark.decode(Int.self, atIndex: 2),
                modifiedAt: try mark.decode(Int64.self, atIndex: 3))
        }
    }

    private func fetchRelationships(_ sql: String, _ id: String, _ type: String?) async throws -> [Relationship] {
        try await read { db in
            let arguments: StatementArguments = type.map { [id, $0] } ?? [id]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            var out: [Relationship] = []
            while let row = try rows.next() {
                out.append(Relationship(
                    sourceID: try row.decode(String.self, atIndex: 0), targetID: try row.decode(String.self, atIndex: 1),
                    type: try row.decode(String.self, atIndex: 2)))
            }
            return out
        }
    }

    private static func fetchRecords(_ statement: Statement, arguments: StatementArguments) throws -> [OperationRecord] {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var out: [OperationRecord] = []
        while let row = try rows.next() { out.append(try OperationRow.record(row)) }
        return out
    }

    private static func decodeHeader(_ text: String) throws -> DocumentHeader {
        try StoredRecord.decode("document header") { try DocumentHeader(json: JSONValueCoder.parse(text)) }
    }

    /// A JSON array of strings, for `IN (SELECT value FROM json_each(?))`.
    private static func jsonArray(_ strings: [String]) -> String {
        JSONValue.array(strings.map(JSONValue.string)).canonicalString
    }

    enum SQL {
        static let streamOperations = """
            SELECT \(OperationRow.columns) FROM operations
            WHERE document_id = ? AND scope = ? AND branch = ? AND idx >= ? ORDER BY idx LIMIT ?
            """
        static let revisions = "SELECT scope, revision FROM streams WHERE document_id = ? AND branch = ?"
        static let lastIndexAtOrBefore = """
            SELECT idx FROM operations WHERE document_id = ? AND scope = ? AND branch = ? AND timestamp <= ?
            ORDER BY idx DESC LIMIT 1
            """
        static let recordsAfterOrdinal = "SELECT \(OperationRow.recordColumns) FROM operations WHERE ordinal > ? ORDER BY ordinal LIMIT ?"
        static let latestOrdinal = "SELECT MAX(ordinal) FROM operations"
        static let existingOperationIDs = "SELECT op_id FROM operations WHERE op_id IN (SELECT value FROM json_each(?))"
        static let keyframeAtOrBefore = """
            SELECT idx, state, hash FROM keyframes WHERE document_id = ? AND scope = ? AND branch = ? AND idx <= ?
            ORDER BY idx DESC LIMIT 1
            """
        static let latestKeyframe = """
            SELECT idx, state, hash FROM keyframes WHERE document_id = ? AND scope = ? AND branch = ?
            ORDER BY idx DESC LIMIT 1
            """
        static let headerWithMarks = """
            SELECT d.header, s.scope, s.revision, s.header_modified_at FROM documents d
            LEFT JOIN streams s ON s.document_id = d.id AND s.header_modified_at IS NOT NULL
            WHERE d.id = ?
            """
        static let marksOfDocuments = """
            SELECT document_id, scope, revision, header_modified_at FROM streams
            WHERE document_id IN (SELECT value FROM json_each(?)) AND header_modified_at IS NOT NULL
            """
        static let relationshipsFrom = "SELECT source_id, target_id, type FROM relationships WHERE source_id = ?"
        static let relationshipsFromOfType = "SELECT source_id, target_id, type FROM relationships WHERE source_id = ? AND type = ?"
        static let relationshipsTo = "SELECT source_id, target_id, type FROM relationships WHERE target_id = ?"
        static let relationshipsToOfType = "SELECT source_id, target_id, type FROM relationships WHERE target_id = ? AND type = ?"
        static let cursor = "SELECT ordinal FROM cursors WHERE name = ?"
        static let saveCursor = "INSERT INTO cursors (name, ordinal) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET ordinal = excluded.ordinal"
    }
}

extension DocumentHeader {
    /// Applies one stream's mark (schema `v3`): the stream's revision, and its header `lastModifiedAt` if later.
    mutating func applyMark(scope: String, revision: Int, modifiedAt: Int64) {
        self.revision[scope] = revision
        lastModifiedAt = Swift.max(lastModifiedAt, modifiedAt)
    }
}
