import PostgresNIO
import ReactorCore

/// The fast path: a whole commit in one statement (one round trip), for commits that are expected to succeed.
///
/// The statement chains data-modifying CTEs: the header write, the stream moves (conditional on the expected
/// revisions), keyframes, relationships, and the operations, which are inserted only if the header and every stream
/// matched. It returns how many header and stream rows matched and the ordinal of each inserted operation. Any
/// mismatch (a missing or existing document, a stream at another revision, a stored operation id) or constraint
/// error makes the writer roll the commit back and redo it step by step (``PostgresCommitWriter``), which reports
/// the exact error as the SQLite store does.
extension PostgresCommitWriter {
    /// A fast-path commit that did not match: roll it back and take the step-by-step path.
    struct FastPathMismatch: Error {}

    /// Writes `prepared` in one statement; returns nil when something did not match (its writes must be rolled back).
    func writeFast(_ prepared: PreparedCommit, on connection: PostgresConnection) async throws -> CommitReceipt? {
        let t = tables
        let header = prepared.commit.header
        var q = QueryBuilder("WITH h AS (")
        if prepared.commit.createsDocument {
            q.append("INSERT INTO \(t.documents) (id, slug, document_type, deleted, header) VALUES (")
            q.bind(header.id)
            q.append(", ")
            q.bind(header.slug)
            q.append(", ")
            q.bind(header.documentType)
            q.append(", ")
            q.bind(header.isDeleted)
            q.append(", ")
            q.bind(prepared.headerJSON)
            q.append(") ON CONFLICT DO NOTHING RETURNING 1)")
        } else {
            q.append("UPDATE \(t.documents) SET slug = ")
            q.bind(header.slug)
            q.append(", document_type = ")
            q.bind(header.documentType)
            q.append(", deleted = ")
            q.bind(header.isDeleted)
            q.append(", header = ")
            q.bind(prepared.headerJSON)
            q.append(" WHERE id = ")
            q.bind(header.id)
            q.append(" RETURNING 1)")
        }
        var streamCount = ["0"]
        let new = prepared.newStreams
        if new.count > 0 {
            q.append(", n AS (INSERT INTO \(t.streams) AS s (document_id, scope, branch, revision) SELECT * FROM unnest(")
            q.bind(new.documentIDs)
            q.append("::text[], ")
            q.bind(new.scopes)
            q.append("::text[], ")
            q.bind(new.branches)
            q.append("::text[], ")
            q.bind(new.revisions)
            q.append("::int8[]) ON CONFLICT (document_id, scope, branch) DO UPDATE SET revision = EXCLUDED.revision WHERE s.revision = 0 RETURNING 1)")
            streamCount.append("(SELECT count(*) FROM n)")
        }
        let moved = prepared.movedStreams
        if moved.count > 0 {
            q.append(", m AS (UPDATE \(t.streams) AS s SET revision = u.r FROM unnest(")
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
            streamCount.append("(SELECT count(*) FROM m)")
        }
        let k = prepared.keyframes
        if !k.indices.isEmpty {
            q.append(", k AS (INSERT INTO \(t.keyframes) (document_id, scope, branch, idx, state, hash) SELECT * FROM unnest(")
            q.bind(k.documentIDs)
            q.append("::text[], ")
            q.bind(k.scopes)
            q.append("::text[], ")
            q.bind(k.branches)
            q.append("::text[], ")
            q.bind(k.indices)
            q.append("::int8[], ")
            q.bind(k.states)
            q.append("::text[], ")
            q.bind(k.hashes)
            q.append("::text[]) ON CONFLICT (document_id, scope, branch, idx) DO UPDATE SET state = EXCLUDED.state, hash = EXCLUDED.hash)")
        }
        let added = prepared.netAdded
        if !added.sources.isEmpty {
            q.append(", ra AS (INSERT INTO \(t.relationships) (source_id, target_id, type) SELECT * FROM unnest(")
            q.bind(added.sources)
            q.append("::text[], ")
            q.bind(added.targets)
            q.append("::text[], ")
            q.bind(added.types)
            q.append("::text[]) ON CONFLICT DO NOTHING)")
        }
        let removed = prepared.removed
        if !removed.sources.isEmpty {
            q.append(", rr AS (DELETE FROM \(t.relationships) r USING unnest(")
            q.bind(removed.sources)
            q.append("::text[], ")
            q.bind(removed.targets)
            q.append("::text[], ")
            q.bind(removed.types)
            q.append("::text[]) AS u(s, t, ty) WHERE r.source_id = u.s AND r.target_id = u.t AND r.type = u.ty)")
        }
        let streams = streamCount.joined(separator: " + ")
        let ops = prepared.allOperations
        let operationCount = ops.ids.count
        if operationCount > 0 {
            let s = prepared.allStreams
            q.append("""
                , o AS (INSERT INTO \(t.operations) (document_id, scope, branch, idx, op_id, skip, op_timestamp, hash, action_id,
                    action_type, action_scope, action_timestamp, input, context, error_json, document_type, origin)
                SELECT u.d, u.sc, u.b, u.idx, u.op_id, u.skip, u.ts, u.hash, u.aid, u.atype, u.ascope, u.ats, u.input,
                    NULLIF(u.ctx, ''), NULLIF(u.err, ''),
                """)
            q.bind(header.documentType)
            q.append(", ")
            q.bind(prepared.commit.origin)
            q.append("::text")
            q.append(" FROM unnest(")
            q.bind(s.documentIDs)
            q.append("::text[], ")
            q.bind(s.scopes)
            q.append("::text[], ")
            q.bind(s.branches)
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
            q.append("""
                ::text[]) WITH ORDINALITY AS u(d, sc, b, idx, op_id, skip, ts, hash, aid, atype, ascope, ats, input, ctx, err, n)
                WHERE (SELECT count(*) FROM h) = 1 AND \(streams) = \(prepared.newStreams.count + prepared.movedStreams.count)
                ORDER BY u.n ON CONFLICT (op_id) DO NOTHING RETURNING op_id, ordinal)
                SELECT x.hc, x.sc, o.op_id, o.ordinal
                FROM (SELECT (SELECT count(*) FROM h) AS hc, \(streams) AS sc) AS x LEFT JOIN o ON true
                """)
        } else {
            q.append(" SELECT (SELECT count(*) FROM h), \(streams), NULL::text, NULL::int8")
        }

        let rows = try await connection.query(q.query, logger: logger).collect()
        var ordinals: [String: Int64] = [:]
        ordinals.reserveCapacity(operationCount)
        for row in rows {
            let (headerRows, streamRows, opID, ordinal) = try row.decode((Int64, Int64, String?, Int64?).self)
            guard headerRows == 1, streamRows == prepared.newStreams.count + prepared.movedStreams.count else { return nil }
            if let opID, let ordinal { ordinals[opID] = ordinal }
        }
        guard ordinals.count == operationCount else { return nil }
        var records: [OperationRecord] = []
        records.reserveCapacity(operationCount)
        for a in prepared.commit.appends {
            for op in a.operations {
                guard let ordinal = ordinals[op.id] else { return nil }
                records.append(OperationRecord(
                    stream: a.stream, documentType: header.documentType, ordinal: ordinal, operation: op, origin: prepared.commit.origin))
            }
        }
        return CommitReceipt(records: records)
    }
}
