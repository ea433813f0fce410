import GRDB
import ReactorCore

/// Writes prepared commits on the writer connection: one write transaction per batch, each commit atomic on its own.
///
/// Runs only on GRDB's serial writer queue. Every statement is a cached prepared statement; nothing is encoded here
/// (see ``PreparedCommit``).
/// Writes prepared commits on the writer connection: one write transaction per batch, each commit atomic on its own.
///
/// Runs only on GRDB's serial writer queue. Every statement is a cached prepared statement; nothing is encoded here
/// (see ``PreparedCommit``).
///
/// **The header row.** A commit whose header differs from the stored one (known from the ``HeaderLedger``) only in
/// `revision` and `lastModifiedAt`, and whose new revisions are those of the streams it advances on the document's
/// home branch, does not rewrite the `documents` row: it marks those stream rows, which it updates anyway, with the
/// header's `lastModifiedAt` (`header_modified_at`), and a read applies the marks (``SQLiteStore/header(id:)``). Such
/// a commit dirties the stream row, the operation row and its three index entries, and runs one statement per stream
/// and one per operation. Any other commit (a creation, a document-scope change, a header the ledger does not know)
/// writes the whole header and clears the document's marks.
enum CommitWriter {
    /// Stores `batch` in one `BEGIN IMMEDIATE` transaction, each commit atomic on its own: a failing commit rolls
    /// back only itself. Returns one result per commit, in order. When the transaction itself fails (busy, disk full,
    /// failed `COMMIT`), nothing is stored and every commit fails with that error.
    ///
    /// Failures are rare, so the batch is first written without savepoints; if any commit fails, that transaction is
    /// rolled back and the batch is written again with a savepoint per commit.
    static func write(_ batch: [PreparedCommit], in db: Database, ledger: HeaderLedger) -> [Result<CommitReceipt, ReactorError>] {
        var receipts: [CommitReceipt] = []
        receipts.reserveCapacity(batch.count)
        var staged = HeaderLedger.Staged()
        do {
            try inImmediateTransaction(db) {
                try ledger.validate(in: db)
                for prepared in batch { receipts.append(try write(prepared, in: db, ledger: ledger, staged: &staged)) }
            }
            ledger.record(staged)
            return receipts.map { .success($0) }
        } catch {
            let failure = ReactorError.sqliteFailure(error)
            if batch.count == 1 || Self.failsWholeTransaction(error) {
                return batch.map { _ in .failure(failure) }
            }
        }
        return writeWithSavepoints(batch, in: db, ledger: ledger)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction, committed when it returns and rolled back when it (or the
    /// `COMMIT`) throws. Like `Database.inTransaction(.immediate)`, with cached statements for `BEGIN` and `COMMIT`.
    private static func inImmediateTransaction(_ db: Database, _ body: () throws -> Void) throws {
        try db.cachedStatement(sql: SQL.begin).execute()
        do {
            try body()
            try db.cachedStatement(sql: SQL.commit).execute()
        } catch {
            if db.isInsideTransaction { try? db.cachedStatement(sql: SQL.rollback).execute() }
            throw error
        }
    }

    /// Whether `error` is about the transaction rather than one commit (so redoing the batch cannot help).
    private static func failsWholeTransaction(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    private static func writeWithSavepoints(_ batch: [PreparedCommit], in db: Database, ledger: HeaderLedger) -> [Result<CommitReceipt, ReactorError>] {
        var results: [Result<CommitReceipt, ReactorError>?] = Array(repeating: nil, count: batch.count)
        var staged = HeaderLedger.Staged()
        do {
            try inImmediateTransaction(db) {
                try ledger.validate(in: db)
                for (i, prepared) in batch.enumerated() {
                    results[i] = try writeInSavepoint(prepared, in: db, ledger: ledger, staged: &staged)
                }
            }
            ledger.record(staged)
        } catch {
            let failure = ReactorError.sqliteFailure(error)
            for i in results.indices {
                if case .failure = results[i] { continue }
                results[i] = .failure(failure)
            }
        }
        return results.map { $0 ?? .failure(ReactorError(.internal, "commit was not attempted")) }
    }

    /// Writes one commit of a batch inside a savepoint (cached statements, unlike `Database.inSavepoint`).
    ///
    /// Returns the commit's own failure after rolling back to the savepoint. Throws — failing the whole batch — when
    /// the enclosing transaction is gone (SQLite rolls a transaction back by itself on some errors, e.g. a full disk),
    /// so that no later commit can run outside the batch's transaction.
    private static func writeInSavepoint(
        _ prepared: PreparedCommit, in db: Database, ledger: HeaderLedger, staged: inout HeaderLedger.Staged
    ) throws -> Result<CommitReceipt, ReactorError> {
        guard db.isInsideTransaction else { throw ReactorError(.storage, "the write transaction was rolled back by SQLite") }
        try db.cachedStatement(sql: SQL.savepoint).execute()
        var local = staged
        do {
            let receipt = try write(prepared, in: db, ledger: ledger, staged: &local)
            try db.cachedStatement(sql: SQL.releaseSavepoint).execute()
            staged = local
            return .success(receipt)
        } catch {
            guard db.isInsideTransaction else { throw error }
            try db.cachedStatement(sql: SQL.rollbackToSavepoint).execute()
            try db.cachedStatement(sql: SQL.releaseSavepoint).execute()
            return .failure(ReactorError.sqliteFailure(error))
        }
    }

    // MARK: One commit

    private static func write(
        _ prepared: PreparedCommit, in db: Database, ledger: HeaderLedger, staged: inout HeaderLedger.Staged
    ) throws -> CommitReceipt {
        let commit = prepared.commit
        let header = commit.header
        let known = commit.createsDocument ? nil : (staged[header.id] ?? ledger.entry(header.id))
        let marks = known.flatMap { Self.marksOnly(commit, known: $0) }
        if marks == nil {
            try writeHeader(prepared, in: db)
            if !commit.createsDocument, known?.hasMarks ?? true {
                try db.cachedStatement(sql: SQL.clearMarks).execute(arguments: [header.id])
            }
        }

        var records: [OperationRecord] = []
        records.reserveCapacity(commit.operationCount)
        let insert = RawStatement(try db.cachedStatement(sql: SQL.insertOperation), in: db)
        for prepared in prepared.appends {
            let append = prepared.append
            let stream = append.stream
            let marked = marks != nil && Self.isHome(stream, of: header)
            try advanceStream(append, mark: marked ? header.lastModifiedAt : nil, in: db)
            for (offset, op) in append.operations.enumerated() where op.index != append.expectedRevision + offset {
                throw ReactorError(
                    .operationGap,
                    "operation index \(op.index) does not follow \(append.expectedRevision + offset - 1) in \(stream)")
            }
            for (i, op) in append.operations.enumerated() {
                let action = op.action
                insert.bind(1, stream.documentID)
                insert.bind(2, stream.scope)
                insert.bind(3, stream.branch)
                insert.bind(4, op.index)
                insert.bind(5, op.id)
                insert.bind(6, op.skip)
                insert.bind(7, op.timestamp)
                insert.bind(8, op.hash)
                insert.bind(9, action.id)
                insert.bind(10, action.type)
                insert.bind(11, action.scope)
                insert.bind(12, action.timestamp)
                insert.bind(13, prepared.inputs[i])
                insert.bind(14, prepared.contexts[i])
                insert.bind(15, op.error)
                insert.bind(16, header.documentType)
                insert.bind(17, commit.origin)
                do {
                    try insert.execute()
                } catch let error as DatabaseError where error.isOperationIDViolation {
                    throw ReactorError(.revisionConflict, "operation '\(op.id)' is already stored", details: ["operationId": op.id])
                } catch let error as DatabaseError where error.isStreamPositionViolation {
                    // Another writer got there first (e.g. a second process on the same file).
                    throw ReactorError.revisionConflict(stream, expected: append.expectedRevision, actual: try storedRevision(of: stream, in: db))
                }
                records.append(OperationRecord(
                    stream: stream, documentType: header.documentType, ordinal: db.lastInsertedRowID, operation: op, origin: commit.origin))
            }
        }
        staged[header.id] = HeaderLedger.Entry(header: header, hasMarks: marks.map { $0 || known?.hasMarks == true } ?? false)

        if !commit.keyframes.isEmpty {
            let statement = try db.cachedStatement(sql: SQL.upsertKeyframe)
            for (i, keyframe) in commit.keyframes.enumerated() {
                statement.setUncheckedArguments([
                    keyframe.stream.documentID, keyframe.stream.scope, keyframe.stream.branch, keyframe.index,
                    prepared.keyframeStates[i], keyframe.hash,
                ])
                try statement.execute()
            }
        }
        if !commit.relationshipsAdded.isEmpty {
            let statement = try db.cachedStatement(sql: SQL.insertRelationship)
            for r in commit.relationshipsAdded {
                statement.setUncheckedArguments([r.sourceID, r.targetID, r.type])
                try statement.execute()
            }
        }
        if !commit.relationshipsRemoved.isEmpty {
            let statement = try db.cachedStatement(sql: SQL.deleteRelationship)
            for r in commit.relationshipsRemoved {
                statement.setUncheckedArguments([r.sourceID, r.targetID, r.type])
                try statement.execute()
            }
        }
        return CommitReceipt(records: records)
    }

    /// Whether `stream` is one of `header`'s home streams: the document's own, on its home branch. Only those carry
    /// marks.
    private static func isHome(_ stream: StreamID, of header: DocumentHeader) -> Bool {
        stream.documentID == header.id && stream.branch == header.branch
    }

    /// Whether `commit` may leave the `documents` row as it is, and if so whether it marks any stream: nil when the
    /// header must be written. It may when its header equals the stored one (`known`) but for `revision` and
    /// `lastModifiedAt`, its `revision` is the stored one with the new revisions of the home streams it advances,
    /// and its `lastModifiedAt` is not older than the stored one and, when newer, lands in a marked stream.
    private static func marksOnly(_ commit: Commit, known: HeaderLedger.Entry) -> Bool? {
        let header = commit.header
        let stored = known.header
        guard header.lastModifiedAt >= stored.lastModifiedAt else { return nil }
        var revision = stored.revision
        var marksAny = false
        for append in commit.appends where !append.operations.isEmpty && isHome(append.stream, of: header) {
            revision[append.stream.scope] = append.expectedRevision + append.operations.count
            marksAny = true
        }
        guard revision == header.revision else { return nil }
        if header.lastModifiedAt != stored.lastModifiedAt, !marksAny { return nil }
        var unchanged = header
        unchanged.revision = stored.revision
        unchanged.lastModifiedAt = stored.lastModifiedAt
        guard unchanged == stored else { return nil }
        return marksAny
    }

    /// Inserts (create) or replaces the header row, mapping constraint violations to the store's error codes.
    private static func writeHeader(_ prepared: PreparedCommit, in db: Database) throws {
        let header = prepared.commit.header
        if prepared.commit.createsDocument {
            let statement = try db.cachedStatement(sql: SQL.insertDocument)
            let headerJSON = prepared.headerJSON
            statement.setUncheckedArguments([header.id, header.slug, header.documentType, header.isDeleted, headerJSON])
            do {
                try statement.execute()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                if try error.isDocumentIDViolation || documentExists(header.id, in: db) {
                    throw ReactorError(.documentExists, "document '\(header.id)' already exists", details: ["documentId": header.id])
                }
                try throwIfSlugTaken(header, error, in: db)
                throw error
            }
        } else {
            // Slug, type and deletion unchanged: only the header text is rewritten (no index update).
            let headerJSON = prepared.headerJSON
            let headerOnly = try db.cachedStatement(sql: SQL.updateHeaderOnly)
            headerOnly.setUncheckedArguments([headerJSON, header.id, header.slug, header.documentType, header.isDeleted])
            try headerOnly.execute()
            if db.changesCount == 1 { return }
            let statement = try db.cachedStatement(sql: SQL.updateDocument)
            statement.setUncheckedArguments([header.slug, header.documentType, header.isDeleted, headerJSON, header.id])
            do {
                try statement.execute()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                if !(try documentExists(header.id, in: db)) { throw ReactorError.documentNotFound(header.id) }
                try throwIfSlugTaken(header, error, in: db)
                throw error
            }
            if db.changesCount == 0 { throw ReactorError.documentNotFound(header.id) }
        }
    }

    private static func throwIfSlugTaken(_ header: DocumentHeader, _ error: DatabaseError, in db: Database) throws {
        guard error.isSlugViolation, let slug = header.slug else { return }
        let owner = try String.fetchOne(db.cachedStatement(sql: SharedSQL.documentIDForSlug), arguments: [slug]) ?? "?"
        throw ReactorError(.slugTaken, "slug '\(slug)' is used by document '\(owner)'", details: ["slug": slug])
    }

    /// Moves the stream from `expectedRevision` to its new revision, or fails with `REVISION_CONFLICT` when the
    /// stream is elsewhere. A conditional write, so a single statement both checks and advances. A stream gets its
    /// row with its first operation (`revisions` lists only scopes with operations).
    ///
    /// `mark` is the header's `lastModifiedAt` when the stream is one of a header the commit does not write (see the
    /// type's description); nil leaves the stream's mark as it is.
    private static func advanceStream(_ append: StreamAppend, mark: Int64?, in db: Database) throws {
        let stream = append.stream
        if append.operations.isEmpty {
            // Nothing to append: only check. A stream exists once it has operations.
            let actual = try streamRevision(of: stream, in: db)
            if actual != append.expectedRevision {
                throw ReactorError.revisionConflict(stream, expected: append.expectedRevision, actual: actual)
            }
            return
        }
        let newRevision = append.expectedRevision + append.operations.count
        let statement: Statement
        switch (append.expectedRevision == 0, mark) {
        case (true, nil):
            statement = try db.cachedStatement(sql: SQL.createStream)
            statement.setUncheckedArguments([stream.documentID, stream.scope, stream.branch, newRevision])
        case (true, let mark?):
            statement = try db.cachedStatement(sql: SQL.createMarkedStream)
            statement.setUncheckedArguments([stream.documentID, stream.scope, stream.branch, newRevision, mark])
        case (false, nil):
            statement = try db.cachedStatement(sql: SQL.advanceStream)
            statement.setUncheckedArguments([newRevision, stream.documentID, stream.scope, stream.branch, append.expectedRevision])
        case (false, let mark?):
            // A job's commit: bound directly (``RawStatement``).
            let advance = RawStatement(try db.cachedStatement(sql: SQL.advanceMarkedStream), in: db)
            advance.bind(1, newRevision)
            advance.bind(2, mark)
            advance.bind(3, stream.documentID)
            advance.bind(4, stream.scope)
            advance.bind(5, stream.branch)
            advance.bind(6, append.expectedRevision)
            try advance.execute()
            if db.changesCount == 0 {
                throw ReactorError.revisionConflict(stream, expected: append.expectedRevision, actual: try streamRevision(of: stream, in: db))
            }
            return
        }
        try statement.execute()
        if db.changesCount == 0 {
            throw ReactorError.revisionConflict(stream, expected: append.expectedRevision, actual: try streamRevision(of: stream, in: db))
        }
    }

    private static func streamRevision(of stream: StreamID, in db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: SQL.streamRevision), arguments: [stream.documentID, stream.scope, stream.branch]) ?? 0
    }

    /// The revision implied by the stored operations (their highest index + 1).
    private static func storedRevision(of stream: StreamID, in db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: SQL.maxIndex), arguments: [stream.documentID, stream.scope, stream.branch]).map { $0 + 1 } ?? 0
    }

    private static func documentExists(_ id: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: SQL.documentExists), arguments: [id]) ?? false
    }

    // MARK: SQL

    private enum SQL {
        static let begin = "BEGIN IMMEDIATE TRANSACTION"
        static let commit = "COMMIT TRANSACTION"
        static let rollback = "ROLLBACK TRANSACTION"
        static let savepoint = "SAVEPOINT reactor_commit"
        static let releaseSavepoint = "RELEASE SAVEPOINT reactor_commit"
        static let rollbackToSavepoint = "ROLLBACK TO SAVEPOINT reactor_commit"
        static let insertDocument = "INSERT INTO documents (id, slug, document_type, deleted, header) VALUES (?, ?, ?, ?, ?)"
        static let updateHeaderOnly = "UPDATE documents SET header = ? WHERE id = ? AND slug IS ? AND document_type = ? AND deleted = ?"
        static let updateDocument = "UPDATE documents SET slug = ?, document_type = ?, deleted = ?, header = ? WHERE id = ?"
        static let documentExists = "SELECT 1 FROM documents WHERE id = ?"
        static let createStream = """
            INSERT INTO streams (document_id, scope, branch, revision) VALUES (?, ?, ?, ?)
            ON CONFLICT (document_id, scope, branch) DO UPDATE SET revision = excluded.revision WHERE streams.revision = 0
            """
        static let createMarkedStream = """
            INSERT INTO streams (document_id, scope, branch, revision, header_modified_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (document_id, scope, branch) DO UPDATE SET revision = excluded.revision,
                header_modified_at = excluded.header_modified_at WHERE streams.revision = 0
            """
        static let advanceStream = "UPDATE streams SET revision = ? WHERE document_id = ? AND scope = ? AND branch = ? AND revision = ?"
        static let advanceMarkedStream = """
            UPDATE streams SET revision = ?, header_modified_at = ? WHERE document_id = ? AND scope = ? AND branch = ? AND revision = ?
            """
        static let clearMarks = "UPDATE streams SET header_modified_at = NULL WHERE document_id = ? AND header_modified_at IS NOT NULL"
        static let streamRevision = "SELECT revision FROM streams WHERE document_id = ? AND scope = ? AND branch = ?"
        static let maxIndex = "SELECT MAX(idx) FROM operations WHERE document_id = ? AND scope = ? AND branch = ?"
        static let insertOperation = """
            INSERT INTO operations (document_id, scope, branch, idx, op_id, skip, timestamp, hash, action_id, action_type,
                action_scope, action_timestamp, input, context, error, document_type, origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        static let upsertKeyframe = """
            INSERT OR REPLACE INTO keyframes (document_id, scope, branch, idx, state, hash) VALUES (?, ?, ?, ?, ?, ?)
            """
        static let insertRelationship = "INSERT OR IGNORE INTO relationships (source_id, target_id, type) VALUES (?, ?, ?)"
        static let deleteRelationship = "DELETE FROM relationships WHERE source_id = ? AND target_id = ? AND type = ?"
    }
}
