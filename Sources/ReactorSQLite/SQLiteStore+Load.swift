import GRDB
import ReactorCore

extension SQLiteStore {
    /// The stored parts of document `id` on `branch`, read in one read transaction (one snapshot of the file).
    public func loadDocument(id: String, branch: String) async throws -> StoredDocument? {
        try await readTransaction { db in
            guard let header = try Self.header(id, in: db) else { return nil }
            let home = header.branch
            let revisions = try Self.revisions(id, branch: branch, in: db)
            var streams: [String: StoredStream] = [:]
            let systemRevision = branch == home ? revisions[Scope.document] ?? 0
                : try Self.revisions(id, branch: home, in: db)[Scope.document] ?? 0
            let system = StreamID(documentID: id, scope: Scope.document, branch: home)
            streams[Scope.document] = try Self.loadStream(system, revision: systemRevision, in: db)
            for (scope, revision) in revisions where scope != Scope.document {
                streams[scope] = try Self.loadStream(StreamID(documentID: id, scope: scope, branch: branch), revision: revision, in: db)
            }
            var initialStates: [String: Keyframe] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: LoadSQL.initialKeyframes), arguments: [id, branch, home])
            while let row = try rows.next() {
                let rowBranch = try row.decode(String.self, atIndex: 1)
                let scope = try row.decode(String.self, atIndex: 0)
                // The requested branch's own initial state wins over the home branch's.
                if rowBranch != branch, initialStates[scope] != nil { continue }
                initialStates[scope] = Keyframe(
                    stream: StreamID(documentID: id, scope: scope, branch: rowBranch), index: -1,
                    state: try StoredRecord.json(try row.decode(String.self, atIndex: 2), record: "keyframe"),
                    hash: try row.decode(String.self, atIndex: 3))
            }
            return StoredDocument(header: header, revisions: revisions, streams: streams, initialStates: initialStates)
        }
    }

    private static func revisions(_ id: String, branch: String, in db: Database) throws -> [String: Int] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: LoadSQL.revisions), arguments: [id, branch])
        var out: [String: Int] = [:]
        while let row = try rows.next() { out[try row.decode(String.self, atIndex: 0)] = try row.decode(Int.self, atIndex: 1) }
        return out
    }

    /// The newest keyframe before `revision`, the operations after it, and the last operation.
    private static func loadStream(_ stream: StreamID, revision: Int, in db: Database) throws -> StoredStream {
        guard revision > 0 else { return StoredStream(stream: stream, revision: 0, keyframe: nil, operations: [], last: nil) }
        var keyframe: Keyframe?
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: LoadSQL.keyframeAtOrBefore), arguments: [stream.documentID, stream.scope, stream.branch, revision - 1]) {
            keyframe = Keyframe(
                stream: stream, index: try row.decode(Int.self, atIndex: 0),
                state: try StoredRecord.json(try row.decode(String.self, atIndex: 1), record: "keyframe"),
                hash: try row.decode(String.self, atIndex: 2))
        }
        let from = (keyframe?.index ?? -1) + 1
        var operations: [ReactorCore.Operation] = []
        if from < revision {
            operations.reserveCapacity(min(revision - from, 1024))
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: LoadSQL.streamOperations),
                arguments: [stream.documentID, stream.scope, stream.branch, from, revision - from])
            while let row = try rows.next() { operations.append(try OperationRow.operation(row)) }
        }
        var last = operations.last
        if last == nil {
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: LoadSQL.streamOperations), arguments: [stream.documentID, stream.scope, stream.branch, revision - 1, 1])
            last = try rows.next().map(OperationRow.operation)
        }
        return StoredStream(stream: stream, revision: revision, keyframe: keyframe, operations: operations, last: last)
    }
}

private enum LoadSQL {
    static let revisions = SQLiteStore.SQL.revisions
    static let keyframeAtOrBefore = SQLiteStore.SQL.keyframeAtOrBefore
    static let streamOperations = SQLiteStore.SQL.streamOperations
    /// The initial states (index -1) on the requested branch and the home branch, the requested branch's first.
    static let initialKeyframes = """
        SELECT scope, branch, state, hash FROM keyframes WHERE document_id = ?1 AND idx = -1 AND branch IN (?2, ?3)
        ORDER BY branch <> ?2
        """
}
