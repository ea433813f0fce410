import PostgresNIO
import ReactorCore

extension PostgresStore {
    /// The stored parts of document `id` on `branch`, read in one `REPEATABLE READ` read-only transaction (one
    /// snapshot of the database).
    public func loadDocument(id: String, branch: String) async throws -> StoredDocument? {
        try await readSnapshot { c in
            guard let header = try await self.loadHeader(id, on: c) else { return nil }
            let home = header.branch
            let revisions = try await self.loadRevisions(id, branch: branch, on: c)
            let systemRevision = branch == home ? revisions[Scope.document] ?? 0
                : try await self.loadRevisions(id, branch: home, on: c)[Scope.document] ?? 0
            var streams: [String: StoredStream] = [:]
            streams[Scope.document] = try await self.loadStream(
                StreamID(documentID: id, scope: Scope.document, branch: home), revision: systemRevision, on: c)
            for (scope, revision) in revisions where scope != Scope.document {
                streams[scope] = try await self.loadStream(StreamID(documentID: id, scope: scope, branch: branch), revision: revision, on: c)
            }
            let t = self.tables
            var initialStates: [String: Keyframe] = [:]
            for row in try await c.query("""
                SELECT scope, branch, state, hash FROM \(unescaped: t.keyframes)
                WHERE document_id = \(id) AND idx = -1 AND branch IN (\(branch), \(home))
                """, logger: self.logger).collect() {
                let (scope, rowBranch, state, hash) = try row.decode((String, String, String, String).self)
                // The requested branch's own initial state wins over the home branch's.
                if rowBranch != branch, initialStates[scope] != nil { continue }
                initialStates[scope] = Keyframe(
                    stream: StreamID(documentID: id, scope: scope, branch: rowBranch), index: -1,
                    state: try StoredRecord.json(state, record: "keyframe"), hash: hash)
            }
            return StoredDocument(header: header, revisions: revisions, streams: streams, initialStates: initialStates)
        }
    }

    /// Runs `body` on one pooled connection inside a read-only `REPEATABLE READ` transaction: every query of it sees
    /// the same snapshot.
    func readSnapshot<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await read { c in
            _ = try await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger).collect()
            do {
                let value = try await body(c)
                _ = try await c.query("COMMIT", logger: logger).collect()
                return value
            } catch {
                _ = try? await c.query("ROLLBACK", logger: logger).collect()
                throw error
            }
        }
    }

    private func loadHeader(_ id: String, on c: PostgresConnection) async throws -> DocumentHeader? {
        try await c.query("SELECT header FROM \(unescaped: tables.documents) WHERE id = \(id)", logger: logger)
            .collect().first.map { try Self.decodeHeader(try $0.decode(String.self)) }
    }

    private func loadRevisions(_ id: String, branch: String, on c: PostgresConnection) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try await c.query(
            "SELECT scope, revision FROM \(unescaped: tables.streams) WHERE document_id = \(id) AND branch = \(branch)", logger: logger
        ).collect() {
            let (scope, revision) = try row.decode((String, Int64).self)
            out[scope] = Int(revision)
        }
        return out
    }

    /// The newest keyframe before `revision`, the operations after it, and the last operation.
    private func loadStream(_ stream: StreamID, revision: Int, on c: PostgresConnection) async throws -> StoredStream {
        guard revision > 0 else { return StoredStream(stream: stream, revision: 0, keyframe: nil, operations: [], last: nil) }
        let t = tables
        var keyframe: Keyframe?
        if let row = try await c.query("""
            SELECT idx, state, hash FROM \(unescaped: t.keyframes)
            WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch) AND idx <= \(Int64(revision - 1))
            ORDER BY idx DESC LIMIT 1
            """, logger: logger).collect().first {
            let (index, state, hash) = try row.decode((Int64, String, String).self)
            keyframe = Keyframe(stream: stream, index: Int(index), state: try StoredRecord.json(state, record: "keyframe"), hash: hash)
        }
        let from = Int64((keyframe?.index ?? -1) + 1)
        let operations = from < revision ? try await streamOperations(stream, from: from, limit: Int64(revision) - from, on: c) : []
        var last = operations.last
        if last == nil { last = try await streamOperations(stream, from: Int64(revision - 1), limit: 1, on: c).first }
        return StoredStream(stream: stream, revision: revision, keyframe: keyframe, operations: operations, last: last)
    }

    private func streamOperations(_ stream: StreamID, from: Int64, limit: Int64, on c: PostgresConnection) async throws -> [ReactorCore.Operation] {
        try await c.query("""
            SELECT \(unescaped: OperationRow.columns) FROM \(unescaped: tables.operations)
            WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch) AND idx >= \(from)
            ORDER BY idx LIMIT \(limit)
            """, logger: logger).collect().map(OperationRow.operation)
    }
}
