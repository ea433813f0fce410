import Logging
import PostgresNIO
import ReactorCore

/// Writes batches of prepared commits on one connection: one transaction per batch, each commit atomic on its own.
///
/// Write transactions of different nodes (and of different documents) run in parallel: there is no write lock. A
/// transaction's ordinals come from its own transaction id (see ``PostgresStore``, "Ordinals"), and commits to one
/// stream exclude each other through the stream row (a conditional update of its revision: the second writer waits
/// for the first, then finds the revision moved and fails with a transient `REVISION_CONFLICT`). Two transactions
/// that lock rows in opposite orders may deadlock; PostgreSQL breaks the tie by failing one of them (transient: its
/// jobs are retried).
///
/// Expected failures (a document that exists or is missing, a slug in use, a stream at another revision, a gap, a
/// duplicate operation id, a job fence that does not hold) are found by conditional writes and lookups, not by
/// constraint errors, so the transaction stays usable and errors carry their full details.
struct PostgresCommitWriter: Sendable {
    typealias Results = [Result<CommitReceipt, ReactorError>]

    let tables: PostgresTables
    let logger: Logger

    /// Stores `batch` and returns one result per commit, in order.
    ///
    /// Failures are rare, so the batch is first written on the fast path: when one statement can carry it, that
    /// statement alone (its own transaction, then a trivial statement that proves it committed: two round trips in all), else `BEGIN`, one statement per commit and
    /// `COMMIT`. If a commit does not go through, that attempt is undone and the batch is written again in one
    /// transaction with a savepoint per commit, the failing commits step by step so that each fails alone with its
    /// exact error. When the transaction itself fails (the connection, the server, `COMMIT`), nothing is stored and
    /// every commit fails with that error (transient when retrying may help). A batch with more operations than one
    /// transaction can number is written as several transactions.
    func write(_ batch: [PreparedCommit], on connection: PostgresConnection) async -> Results {
        var results: Results = []
        results.reserveCapacity(batch.count)
        for chunk in Self.chunks(batch) {
            if chunk.count == 1, Int64(chunk[0].commit.operationCount) > PostgresSchema.ordinalsPerTransaction {
                results.append(.failure(ReactorError(
                    .payloadTooLarge,
                    "a commit of \(chunk[0].commit.operationCount) operations is more than one PostgreSQL transaction can store",
                    details: ["size": "\(chunk[0].commit.operationCount)", "limit": "\(PostgresSchema.ordinalsPerTransaction)"])))
                continue
            }
            results += await writeChunk(chunk, on: connection)
        }
        return results
    }

    /// `batch` cut into runs of at most ``PostgresSchema/ordinalsPerTransaction`` operations (a commit that alone
    /// has more is a run of its own).
    static func chunks(_ batch: [PreparedCommit]) -> [[PreparedCommit]] {
        var chunks: [[PreparedCommit]] = [[]]
        var count: Int64 = 0
        for prepared in batch {
            let n = Int64(prepared.commit.operationCount)
            if count + n > PostgresSchema.ordinalsPerTransaction, !chunks[chunks.count - 1].isEmpty {
                chunks.append([])
                count = 0
            }
            chunks[chunks.count - 1].append(prepared)
            count += n
        }
        return chunks.filter { !$0.isEmpty }
    }

    private func writeChunk(_ batch: [PreparedCommit], on connection: PostgresConnection) async -> Results {
        guard !batch.isEmpty else { return [] }
        if Self.fitsOneStatement(batch) {
            do {
                let receipts = try await writeFast(batch, firstOrdinal: 0, on: connection)
                try await confirmCommitted(on: connection)
                return receipts.map { .success($0) }
            } catch {
                if PostgresErrorKind.failsWholeTransaction(error) {
                    let failure = ReactorError.postgresFailure(error)
                    return batch.map { _ in .failure(failure) }
                }
                return await writeWithSavepoints(batch, stepByStepFrom: nil, on: connection)
            }
        }
        do {
            try await execute("BEGIN", on: connection)
            var receipts: [CommitReceipt] = []
            receipts.reserveCapacity(batch.count)
            var nextOrdinal: Int64 = 0
            do {
                for prepared in batch {
                    guard prepared.fastPathEligible else { throw FastPathMismatch() }
                    receipts += try await writeFast([prepared], firstOrdinal: nextOrdinal, on: connection)
                    nextOrdinal += Int64(prepared.commit.operationCount)
                }
            } catch {
                try await execute("ROLLBACK", on: connection)
                if PostgresErrorKind.failsWholeTransaction(error) {
                    let failure = ReactorError.postgresFailure(error)
                    return batch.map { _ in .failure(failure) }
                }
                // Commits before `receipts.count` went through; the one at `receipts.count` did not.
                return await writeWithSavepoints(batch, stepByStepFrom: receipts.count, on: connection)
            }
            try await execute("COMMIT", on: connection)
            return receipts.map { .success($0) }
        } catch {
            await recover(connection)
            let failure = ReactorError.postgresFailure(error)
            return batch.map { _ in .failure(failure) }
        }
    }

    /// Writes the batch with a savepoint per commit. Every commit tries the fast path first, except `firstSuspect`
    /// (known not to go through), and falls back to the step-by-step path.
    private func writeWithSavepoints(_ batch: [PreparedCommit], stepByStepFrom firstSuspect: Int?, on connection: PostgresConnection) async -> Results {
        var results: [Result<CommitReceipt, ReactorError>?] = Array(repeating: nil, count: batch.count)
        var nextOrdinal: Int64 = 0
        do {
            try await execute("BEGIN", on: connection)
            for (i, prepared) in batch.enumerated() {
                try await execute("SAVEPOINT reactor_commit", on: connection)
                let first = nextOrdinal
                // Ordinals of a commit rolled back to its savepoint are not reused: a gap, which is harmless.
                nextOrdinal += Int64(prepared.commit.operationCount)
                if i != firstSuspect, prepared.fastPathEligible {
                    do {
                        if let receipt = try await writeFast([prepared], firstOrdinal: first, on: connection).first {
                            try await execute("RELEASE SAVEPOINT reactor_commit", on: connection)
                            results[i] = .success(receipt)
                            continue
                        }
                    } catch {
                        if PostgresErrorKind.failsWholeTransaction(error) { throw error }
                    }
                    try await execute("ROLLBACK TO SAVEPOINT reactor_commit", on: connection)
                }
                do {
                    try await fence(prepared, on: connection)
                    let receipt = try await write(prepared, firstOrdinal: first, on: connection)
                    try await execute("RELEASE SAVEPOINT reactor_commit", on: connection)
                    results[i] = .success(receipt)
                } catch {
                    if PostgresErrorKind.failsWholeTransaction(error) { throw error }
                    try await execute("ROLLBACK TO SAVEPOINT reactor_commit", on: connection)
                    try await execute("RELEASE SAVEPOINT reactor_commit", on: connection)
                    results[i] = .failure(await resolve(error, on: connection))
                }
            }
            try await execute("COMMIT", on: connection)
        } catch {
            await recover(connection)
            let failure = ReactorError.postgresFailure(error)
            for i in results.indices {
                if case .failure = results[i] { continue }
                results[i] = .failure(failure)
            }
        }
        return results.map { $0 ?? .failure(ReactorError(.internal, "commit was not attempted")) }
    }

    /// The ``ReactorError`` for a commit's failure, once its statements are rolled back (so the connection can
    /// query again): a stream position conflict learns the stream's actual revision from the stored operations.
    private func resolve(_ error: any Error, on connection: PostgresConnection) async -> ReactorError {
        guard let conflict = error as? StreamPositionConflict else { return ReactorError.postgresFailure(error) }
        let stream = conflict.stream
        do {
            let found = try await rows("""
                SELECT COALESCE(MAX(idx) + 1, 0) FROM \(unescaped: tables.operations)
                WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch)
                """, on: connection)
            let actual = try found.first.map { Int(try $0.decode(Int64.self)) } ?? 0
            return ReactorError.revisionConflict(stream, expected: conflict.expected, actual: actual)
        } catch {
            return ReactorError(postgres: conflict.underlying)
        }
    }

    /// Returns once the statement just run outside a transaction has committed. postgres-nio completes a statement
    /// at its `CommandComplete`; the implicit transaction commits later, at `Sync`, before `ReadyForQuery`. A
    /// connection starts its next statement only after `ReadyForQuery`, so a trivial statement that completes proves
    /// the commit is done (and durable as the server's settings make commits), before anything is acknowledged.
    private func confirmCommitted(on connection: PostgresConnection) async throws {
        try await execute("SELECT 1", on: connection)
    }

    /// After a failure outside a commit: rolls back whatever is open; a connection that cannot even do that is
    /// closed, so the pool never hands out a connection inside a transaction.
    private func recover(_ connection: PostgresConnection) async {
        do {
            try await execute("ROLLBACK", on: connection)
        } catch {
            try? await connection.close()
        }
    }

    func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    private func rows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    // MARK: One commit

    /// Writes one commit statement by statement; its operations are numbered from `firstOrdinal` within the
    /// transaction.
    private func write(_ prepared: PreparedCommit, firstOrdinal: Int64, on c: PostgresConnection) async throws -> CommitReceipt {
        let commit = prepared.commit
        let t = tables
        var nextOrdinal = firstOrdinal
        try await writeHeader(prepared, on: c)

        var records: [OperationRecord] = []
        records.reserveCapacity(commit.operationCount)
        for a in prepared.appends {
            let append = a.append
            let stream = append.stream
            try await advanceStream(append, on: c)
            for (offset, op) in append.operations.enumerated() where op.index != append.expectedRevision + offset {
                throw ReactorError(
                    .operationGap,
                    "operation index \(op.index) does not follow \(append.expectedRevision + offset - 1) in \(stream)")
            }
            guard !append.operations.isEmpty else { continue }
            let inserted: [PostgresRow]
            do {
                inserted = try await rows("""
                INSERT INTO \(unescaped: t.operations) (ordinal, document_id, scope, branch, idx, op_id, skip, op_timestamp, hash,
                    action_id, action_type, action_scope, action_timestamp, input, context, error_json, document_type, origin)
                SELECT \(unescaped: t.schema).transaction_ordinal_base() + \(nextOrdinal - 1)::int8 + u.n,
                    \(stream.documentID), \(stream.scope), \(stream.branch), u.idx, u.op_id, u.skip, u.ts, u.hash, u.aid,
                    u.atype, u.ascope, u.ats, u.input, NULLIF(u.ctx, ''), NULLIF(u.err, ''), \(commit.header.documentType),
                    \(commit.origin)::text
                FROM unnest(\(a.indices)::int8[], \(a.ids)::text[], \(a.skips)::int8[], \(a.timestamps)::int8[],
                    \(a.hashes)::text[], \(a.actionIDs)::text[], \(a.actionTypes)::text[], \(a.actionScopes)::text[],
                    \(a.actionTimestamps)::int8[], \(a.inputs)::text[], \(a.contexts)::text[], \(a.errors)::text[])
                    WITH ORDINALITY AS u(idx, op_id, skip, ts, hash, aid, atype, ascope, ats, input, ctx, err, n)
                ORDER BY u.n
                ON CONFLICT (op_id) DO NOTHING
                RETURNING idx, ordinal
                """, on: c)
            } catch let error as PSQLError where PostgresConstraint.isViolation(of: PostgresConstraint.streamPosition, error) {
                // Another writer stored operations at these positions without moving the stream's revision.
                throw StreamPositionConflict(stream: stream, expected: append.expectedRevision, underlying: error)
            }
            nextOrdinal += Int64(append.operations.count)
            var ordinals: [Int64: Int64] = [:]
            for row in inserted {
                let (index, ordinal) = try row.decode((Int64, Int64).self)
                ordinals[index] = ordinal
            }
            for op in append.operations {
                // Not inserted: its id is already stored (or given twice in this commit).
                guard let ordinal = ordinals[Int64(op.index)] else {
                    throw ReactorError(.revisionConflict, "operation '\(op.id)' is already stored", details: ["operationId": op.id])
                }
                records.append(OperationRecord(
                    stream: stream, documentType: commit.header.documentType, ordinal: ordinal, operation: op, origin: commit.origin))
            }
        }

        let k = prepared.keyframes
        if !k.indices.isEmpty {
            try await execute("""
                INSERT INTO \(unescaped: t.keyframes) (document_id, scope, branch, idx, state, hash)
                SELECT * FROM unnest(\(k.documentIDs)::text[], \(k.scopes)::text[], \(k.branches)::text[], \(k.indices)::int8[],
                    \(k.states)::text[], \(k.hashes)::text[])
                ON CONFLICT (document_id, scope, branch, idx) DO UPDATE SET state = EXCLUDED.state, hash = EXCLUDED.hash
                """, on: c)
        }
        let added = prepared.added
        if !added.sources.isEmpty {
            try await execute("""
                INSERT INTO \(unescaped: t.relationships) (source_id, target_id, type)
                SELECT * FROM unnest(\(added.sources)::text[], \(added.targets)::text[], \(added.types)::text[])
                ON CONFLICT DO NOTHING
                """, on: c)
        }
        let removed = prepared.removed
        if !removed.sources.isEmpty {
            try await execute("""
                DELETE FROM \(unescaped: t.relationships) r
                USING unnest(\(removed.sources)::text[], \(removed.targets)::text[], \(removed.types)::text[]) AS u(s, t, ty)
                WHERE r.source_id = u.s AND r.target_id = u.t AND r.type = u.ty
                """, on: c)
        }
        return CommitReceipt(records: records)
    }

    /// Inserts (create) or replaces the header row; fails with `DOCUMENT_EXISTS`, `DOCUMENT_NOT_FOUND` or
    /// `SLUG_TAKEN` without violating a constraint.
    private func writeHeader(_ prepared: PreparedCommit, on c: PostgresConnection) async throws {
        let header = prepared.commit.header
        let t = tables
        if prepared.commit.createsDocument {
            let inserted = try await rows("""
                INSERT INTO \(unescaped: t.documents) (id, slug, document_type, deleted, header)
                VALUES (\(header.id), \(header.slug), \(header.documentType), \(header.isDeleted), \(prepared.headerJSON))
                ON CONFLICT DO NOTHING RETURNING seq
                """, on: c)
            if !inserted.isEmpty { return }
            let (exists, owner) = try await idAndSlugOwner(header, on: c)
            if exists {
                throw ReactorError(.documentExists, "document '\(header.id)' already exists", details: ["documentId": header.id])
            }
            if let owner, let slug = header.slug { throw Self.slugTaken(slug, owner: owner) }
            throw ReactorError(.storage, "document '\(header.id)' could not be inserted", details: ["documentId": header.id])
        }
        // Fast path: slug, type and deletion unchanged, so only the header text is rewritten.
        let updated = try await rows("""
            UPDATE \(unescaped: t.documents) SET header = \(prepared.headerJSON)
            WHERE id = \(header.id) AND slug IS NOT DISTINCT FROM \(header.slug) AND document_type = \(header.documentType)
                AND deleted = \(header.isDeleted)
            RETURNING seq
            """, on: c)
        if !updated.isEmpty { return }
        let (exists, owner) = try await idAndSlugOwner(header, on: c)
        guard exists else { throw ReactorError.documentNotFound(header.id) }
        if let owner, let slug = header.slug { throw Self.slugTaken(slug, owner: owner) }
        try await execute("""
            UPDATE \(unescaped: t.documents)
            SET slug = \(header.slug), document_type = \(header.documentType), deleted = \(header.isDeleted), header = \(prepared.headerJSON)
            WHERE id = \(header.id)
            """, on: c)
    }

    /// Whether `header.id` exists, and which other document holds `header.slug`.
    private func idAndSlugOwner(_ header: DocumentHeader, on c: PostgresConnection) async throws -> (Bool, String?) {
        let t = tables
        let found = try await rows("""
            SELECT EXISTS (SELECT 1 FROM \(unescaped: t.documents) WHERE id = \(header.id)),
                (SELECT id FROM \(unescaped: t.documents) WHERE slug = \(header.slug) AND id <> \(header.id))
            """, on: c)
        guard let row = found.first else { return (false, nil) }
        return try row.decode((Bool, String?).self)
    }

    private static func slugTaken(_ slug: String, owner: String) -> ReactorError {
        ReactorError(.slugTaken, "slug '\(slug)' is used by document '\(owner)'", details: ["slug": slug])
    }

    /// Moves the stream from `expectedRevision` to its new revision, or fails with `REVISION_CONFLICT`. A conditional
    /// write, so one statement both checks and advances. A stream gets its row with its first operation.
    private func advanceStream(_ append: StreamAppend, on c: PostgresConnection) async throws {
        let stream = append.stream
        let t = tables
        if append.operations.isEmpty {
            let actual = try await streamRevision(of: stream, on: c)
            if actual != append.expectedRevision {
                throw ReactorError.revisionConflict(stream, expected: append.expectedRevision, actual: actual)
            }
            return
        }
        let newRevision = Int64(append.expectedRevision + append.operations.count)
        let moved: [PostgresRow]
        if append.expectedRevision == 0 {
            moved = try await rows("""
                INSERT INTO \(unescaped: t.streams) AS s (document_id, scope, branch, revision)
                VALUES (\(stream.documentID), \(stream.scope), \(stream.branch), \(newRevision))
                ON CONFLICT (document_id, scope, branch) DO UPDATE SET revision = EXCLUDED.revision WHERE s.revision = 0
                RETURNING 1
                """, on: c)
        } else {
            moved = try await rows("""
                UPDATE \(unescaped: t.streams) SET revision = \(newRevision)
                WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch)
                    AND revision = \(Int64(append.expectedRevision))
                RETURNING 1
                """, on: c)
        }
        if moved.isEmpty {
            throw ReactorError.revisionConflict(stream, expected: append.expectedRevision, actual: try await streamRevision(of: stream, on: c))
        }
    }

    private func streamRevision(of stream: StreamID, on c: PostgresConnection) async throws -> Int {
        let t = tables
        let found = try await rows("""
            SELECT revision FROM \(unescaped: t.streams)
            WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch)
            """, on: c)
        return try found.first.map { Int(try $0.decode(Int64.self)) } ?? 0
    }
}

/// A unique violation of a stream position, caught where the operations were inserted (so the stream is known).
struct StreamPositionConflict: Error {
    var stream: StreamID
    var expected: Int
    var underlying: PSQLError
}
