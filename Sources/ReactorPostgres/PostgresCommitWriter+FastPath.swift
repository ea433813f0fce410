import PostgresNIO
import ReactorCore

/// The fast path: a whole batch of commits in one statement, for commits that are expected to succeed.
///
/// The statement chains data-modifying CTEs: the job fences, the header inserts (creates) and updates, the stream
/// moves (conditional on the expected revisions), keyframes, relationships, and the operations, which are inserted
/// only if every fence, header and stream matched. Its last `SELECT` calls `commit_mismatch()` when anything did not
/// match, which raises SQLSTATE `RX001`: the statement fails, so none of it is stored (outside a transaction it is
/// its own transaction, confirmed committed by the writer with one more trivial statement; inside one, the writer
/// rolls back). A mismatch (a missing or existing document, a stream at
/// another revision, a stored operation id, a fence that does not hold) or a constraint error makes the writer redo
/// the batch commit by commit (``PostgresCommitWriter``), which reports each exact error as the SQLite store does.
///
/// Ordinals: `transaction_ordinal_base() + firstOrdinal + n`, `n` the operation's position in the statement (see
/// `PostgresStore`, "Ordinals").
extension PostgresCommitWriter {
    /// A fast-path commit that did not match: roll it back and take the step-by-step path.
    struct FastPathMismatch: Error {}

    /// The SQLSTATE `commit_mismatch()` raises.
    static let mismatchState = "RX001"

    /// Whether one statement can carry `batch`: every commit is eligible for the fast path and no document appears
    /// twice (the CTEs of one statement do not see each other's writes).
    static func fitsOneStatement(_ batch: [PreparedCommit]) -> Bool {
        var documents = Set<String>()
        for prepared in batch {
            guard prepared.fastPathEligible, documents.insert(prepared.commit.header.id).inserted else { return false }
        }
        return true
    }

    /// Writes `batch` (see ``fitsOneStatement(_:)``) in one statement. Throws ``FastPathMismatch`` when something did
    /// not match; nothing of the statement is stored then.
    func writeFast(_ batch: [PreparedCommit], firstOrdinal: Int64, on connection: PostgresConnection) async throws -> [CommitReceipt] {
        let query = Self.fastStatement(batch, tables: tables, firstOrdinal: firstOrdinal)
        let rows: [PostgresRow]
        do {
            rows = try await connection.query(query, logger: logger).collect()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == Self.mismatchState {
            throw FastPathMismatch()
        }
        var ordinals: [String: Int64] = [:]
        ordinals.reserveCapacity(rows.count)
        for row in rows {
            let (_, opID, ordinal) = try row.decode((Int64, String?, Int64?).self)
            if let opID, let ordinal { ordinals[opID] = ordinal }
        }
        var receipts: [CommitReceipt] = []
        receipts.reserveCapacity(batch.count)
        for prepared in batch {
            let commit = prepared.commit
            var records: [OperationRecord] = []
            records.reserveCapacity(commit.operationCount)
            for a in commit.appends {
                for op in a.operations {
                    guard let ordinal = ordinals[op.id] else { throw FastPathMismatch() }
                    records.append(OperationRecord(
                        stream: a.stream, documentType: commit.header.documentType, ordinal: ordinal, operation: op, origin: commit.origin))
                }
            }
            receipts.append(CommitReceipt(records: records))
        }
        return receipts
    }

    /// The one statement that writes `batch`.
    static func fastStatement(_ batch: [PreparedCommit], tables t: PostgresTables, firstOrdinal: Int64) -> PostgresQuery {
        var q = QueryBuilder("WITH ")
        var ctes = 0
        func cte(_ name: String) {
            if ctes > 0 { q.append(", ") }
            q.append("\(name) AS (")
            ctes += 1
        }
        // What must match: (count expression, expected count).
        var checks: [(String, Int)] = []

        let fenced = batch.filter { $0.commit.job != nil }
        if !fenced.isEmpty {
            cte("f")
            q.append("UPDATE \(t.jobs) j SET status = 'WRITE_READY', consistency_token = u.tok, updated_at = ")
            q.bind(Clock.nowMilliseconds())
            q.append(" FROM unnest(")
            q.bind(fenced.map { $0.commit.job!.jobID })
            q.append("::text[], ")
            q.bind(fenced.map { $0.commit.job!.nodeID })
            q.append("::text[], ")
            q.bind(fenced.map(\.fenceTokenJSON))
            q.append("""
                ::text[]) AS u(id, node, tok)
                WHERE j.id = u.id AND j.claimed_by = u.node AND j.status = 'PENDING'
                    AND NOT EXISTS (SELECT 1 FROM \(t.jobs) e WHERE e.document_id = j.document_id AND e.status = 'PENDING' AND e.seq < j.seq)
                RETURNING 1)
                """)
            checks.append(("(SELECT count(*) FROM f)", fenced.count))
        }

        let creates = batch.filter(\.commit.createsDocument)
        let updates = batch.filter { !$0.commit.createsDocument }
        for (name, group) in [("hi", creates), ("hu", updates)] where !group.isEmpty {
            cte(name)
            if name == "hi" {
                q.append("INSERT INTO \(t.documents) (id, slug, document_type, deleted, header) SELECT u.id, CASE WHEN u.hs THEN u.slug END, u.t, u.del, u.h FROM unnest(")
            } else {
                q.append("UPDATE \(t.documents) d SET slug = CASE WHEN u.hs THEN u.slug END, document_type = u.t, deleted = u.del, header = u.h FROM unnest(")
            }
            q.bind(group.map(\.commit.header.id))
            q.append("::text[], ")
            q.bind(group.map { $0.commit.header.slug != nil })
            q.append("::bool[], ")
            q.bind(group.map { $0.commit.header.slug ?? "" })
            q.append("::text[], ")
            q.bind(group.map(\.commit.header.documentType))
            q.append("::text[], ")
            q.bind(group.map(\.commit.header.isDeleted))
            q.append("::bool[], ")
            q.bind(group.map(\.headerJSON))
            q.append("::text[]) AS u(id, hs, slug, t, del, h)")
            q.append(name == "hi" ? " ON CONFLICT DO NOTHING RETURNING 1)" : " WHERE d.id = u.id RETURNING 1)")
            checks.append(("(SELECT count(*) FROM \(name))", group.count))
        }

        var new = PreparedCommit.StreamMoves(), moved = PreparedCommit.StreamMoves()
        var keyframes = PreparedCommit.Keyframes()
        var added = PreparedCommit.Relationships([]), removed = PreparedCommit.Relationships([])
        var ops = PreparedCommit.Append(append: StreamAppend(stream: StreamID(documentID: "", scope: ""), expectedRevision: 0, operations: []))
        var opStreams = PreparedCommit.StreamMoves()
        var opTypes: [String] = [], opOrigins: [String] = [], opHasOrigin: [Bool] = []
        for prepared in batch {
            new.append(prepared.newStreams)
            moved.append(prepared.movedStreams)
            keyframes.append(prepared.keyframes)
            added.append(prepared.netAdded)
            removed.append(prepared.removed)
            ops.append(prepared.allOperations)
            opStreams.append(prepared.allStreams)
            let count = prepared.allOperations.ids.count
            opTypes += repeatElement(prepared.commit.header.documentType, count: count)
            opOrigins += repeatElement(prepared.commit.origin ?? "", count: count)
            opHasOrigin += repeatElement(prepared.commit.origin != nil, count: count)
        }
        if new.count > 0 {
            cte("n")
            q.append("INSERT INTO \(t.streams) AS s (document_id, scope, branch, revision) SELECT * FROM unnest(")
            q.bind(new.documentIDs)
            q.append("::text[], ")
            q.bind(new.scopes)
            q.append("::text[], ")
            q.bind(new.branches)
            q.append("::text[], ")
            q.bind(new.revisions)
            q.append("::int8[]) ON CONFLICT (document_id, scope, branch) DO UPDATE SET revision = EXCLUDED.revision WHERE s.revision = 0 RETURNING 1)")
            checks.append(("(SELECT count(*) FROM n)", new.count))
        }
        if moved.count > 0 {
            cte("m")
            q.append("UPDATE \(t.streams) AS s SET revision = u.r FROM unnest(")
            q.bind(moved.documentIDs)
            q.append("::text[], ")
            q.bind(moved.scopes)
            q.append("::text[], ")
            q.bind(moved.branches)
            q.append("::text[], ")
            q.bind(moved.expected)
            q.append("::int8[], ")
            q.bind(moved.revisions)
            q.append("::int8[]) AS u(d, sc, b, e, r) WHERE s.document_id = u.d AND s.scope = u.sc AND s.branch = u.b AND s.revision = u.e RETURNING 1)")
            checks.append(("(SELECT count(*) FROM m)", moved.count))
        }
        if !keyframes.indices.isEmpty {
            cte("k")
            q.append("INSERT INTO \(t.keyframes) (document_id, scope, branch, idx, state, hash) SELECT * FROM unnest(")
            q.bind(keyframes.documentIDs)
            q.append("::text[], ")
            q.bind(keyframes.scopes)
            q.append("::text[], ")
            q.bind(keyframes.branches)
            q.append("::text[], ")
            q.bind(keyframes.indices)
            q.append("::int8[], ")
            q.bind(keyframes.states)
            q.append("::text[], ")
            q.bind(keyframes.hashes)
            q.append("::text[]) ON CONFLICT (document_id, scope, branch, idx) DO UPDATE SET state = EXCLUDED.state, hash = EXCLUDED.hash)")
        }
        if !added.sources.isEmpty {
            cte("ra")
            q.append("INSERT INTO \(t.relationships) (source_id, target_id, type) SELECT * FROM unnest(")
            q.bind(added.sources)
            q.append("::text[], ")
            q.bind(added.targets)
            q.append("::text[], ")
            q.bind(added.types)
            q.append("::text[]) ON CONFLICT DO NOTHING)")
        }
        if !removed.sources.isEmpty {
            cte("rr")
            q.append("DELETE FROM \(t.relationships) r USING unnest(")
            q.bind(removed.sources)
            q.append("::text[], ")
            q.bind(removed.targets)
            q.append("::text[], ")
            q.bind(removed.types)
            q.append("::text[]) AS u(s, t, ty) WHERE r.source_id = u.s AND r.target_id = u.t AND r.type = u.ty)")
        }
        let matched = checks.isEmpty ? "true" : checks.map { "\($0.0) = \($0.1)" }.joined(separator: " AND ")
        let operationCount = ops.ids.count
        if operationCount > 0 {
            cte("o")
            q.append("""
                INSERT INTO \(t.operations) (ordinal, document_id, scope, branch, idx, op_id, skip, op_timestamp, hash, action_id,
                    action_type, action_scope, action_timestamp, input, context, error_json, document_type, origin)
                SELECT \(t.schema).transaction_ordinal_base() + 
                """)
            q.bind(firstOrdinal - 1)
            q.append("""
                ::int8 + u.n, u.d, u.sc, u.b, u.idx, u.op_id, u.skip, u.ts, u.hash, u.aid, u.atype, u.ascope, u.ats, u.input,
                    NULLIF(u.ctx, ''), NULLIF(u.err, ''), u.dt, CASE WHEN u.ho THEN u.origin END FROM unnest(
                """)
            q.bind(opStreams.documentIDs)
            q.append("::text[], ")
            q.bind(opStreams.scopes)
            q.append("::text[], ")
            q.bind(opStreams.branches)
            q.append("::text[], ")
            q.bind(ops.indices)
            q.append("::int8[], ")
            q.bind(ops.ids)
            q.append("::text[], ")
            q.bind(ops.skips)
            q.append("::int8[], ")
            q.bind(ops.timestamps)
            q.append("::int8[], ")
            q.bind(ops.hashes)
            q.append("::text[], ")
            q.bind(ops.actionIDs)
            q.append("::text[], ")
            q.bind(ops.actionTypes)
            q.append("::text[], ")
            q.bind(ops.actionScopes)
            q.append("::text[], ")
            q.bind(ops.actionTimestamps)
            q.append("::int8[], ")
            q.bind(ops.inputs)
            q.append("::text[], ")
            q.bind(ops.contexts)
            q.append("::text[], ")
            q.bind(ops.errors)
            q.append("::text[], ")
            q.bind(opTypes)
            q.append("::text[], ")
            q.bind(opHasOrigin)
            q.append("::bool[], ")
            q.bind(opOrigins)
            q.append("""
                ::text[]) WITH ORDINALITY AS u(d, sc, b, idx, op_id, skip, ts, hash, aid, atype, ascope, ats, input, ctx, err, dt, ho, origin, n)
                WHERE \(matched)
                ORDER BY u.n ON CONFLICT (op_id) DO NOTHING RETURNING op_id, ordinal)
                SELECT CASE WHEN x.ok THEN 0 ELSE \(t.schema).commit_mismatch() END, o.op_id, o.ordinal
                FROM (SELECT \(matched) AND (SELECT count(*) FROM o) = \(operationCount) AS ok) AS x LEFT JOIN o ON true
                """)
        } else {
            if ctes == 0 { q = QueryBuilder("") } else { q.append(" ") }
            q.append("SELECT CASE WHEN \(matched) THEN 0 ELSE \(t.schema).commit_mismatch() END, NULL::text, NULL::int8")
            return q.query
        }
        return q.query
    }
}

extension PreparedCommit.StreamMoves {
    mutating func append(_ other: Self) {
        documentIDs += other.documentIDs
        scopes += other.scopes
        branches += other.branches
        expected += other.expected
        revisions += other.revisions
    }
}

extension PreparedCommit.Keyframes {
    mutating func append(_ other: Self) {
        documentIDs += other.documentIDs
        scopes += other.scopes
        branches += other.branches
        indices += other.indices
        states += other.states
        hashes += other.hashes
    }
}

extension PreparedCommit.Relationships {
    mutating func append(_ other: Self) {
        sources += other.sources
        targets += other.targets
        types += other.types
    }
}

extension PreparedCommit.Append {
    mutating func append(_ other: Self) {
        indices += other.indices
        ids += other.ids
        skips += other.skips
        timestamps += other.timestamps
        hashes += other.hashes
        actionIDs += other.actionIDs
        actionTypes += other.actionTypes
        actionScopes += other.actionScopes
        actionTimestamps += other.actionTimestamps
        inputs += other.inputs
        contexts += other.contexts
        errors += other.errors
    }
}
