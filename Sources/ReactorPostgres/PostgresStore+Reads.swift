import PostgresNIO
import ReactorCore

extension PostgresStore {
    // MARK: OperationStore

    /// Operations of `stream` with index ≥ `fromIndex`, in index order, at most `limit` of them.
    public func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [ReactorCore.Operation] {
        let limit = limit.map { Int64(max(0, $0)) }
        if limit == 0 { return [] }
        let t = tables
        return try await read { c in
            try await c.query("""
                SELECT \(unescaped: OperationRow.columns) FROM \(unescaped: t.operations)
                WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch)
                    AND idx >= \(Int64(fromIndex))
                ORDER BY idx LIMIT \(limit)
                """, logger: logger).collect().map(OperationRow.operation)
        }
    }

    /// The highest index of an operation of `stream` stamped at or before `timestamp` (the stream's unique index,
    /// read backwards from its end).
    public func lastOperationIndex(in stream: StreamID, atOrBefore timestamp: Int64) async throws -> Int? {
        let t = tables
        return try await read { c in
            try await c.query("""
                SELECT idx FROM \(unescaped: t.operations)
                WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch)
                    AND op_timestamp <= \(timestamp)
                ORDER BY idx DESC LIMIT 1
                """, logger: logger).collect().first.map { Int(try $0.decode(Int64.self)) }
        }
    }

    /// The next index of each scope of a document's branch.
    public func revisions(documentID: String, branch: String) async throws -> [String: Int] {
        let t = tables
        return try await read { c in
            var out: [String: Int] = [:]
            for row in try await c.query(
                "SELECT scope, revision FROM \(unescaped: t.streams) WHERE document_id = \(documentID) AND branch = \(branch)",
                logger: logger
            ).collect() {
                let (scope, revision) = try row.decode((String, Int64).self)
                out[scope] = Int(revision)
            }
            return out
        }
    }

    /// One page of a document's operations matching `query`, in ordinal order; the cursor is the last ordinal.
    public func operations(matching query: OperationQuery, page: PageRequest) async throws -> Page<OperationRecord> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        var q = QueryBuilder("SELECT \(OperationRow.recordColumns) FROM \(tables.operations) WHERE document_id = ")
        q.bind(query.documentID)
        q.append(" AND branch = ")
        q.bind(query.branch)
        q.append(" AND ordinal > ")
        q.bind(after)
        if let scopes = query.scopes {
            q.append(" AND scope = ANY(")
            q.bind(scopes)
            q.append(")")
        }
        if let actionTypes = query.actionTypes {
            q.append(" AND action_type = ANY(")
            q.bind(actionTypes)
            q.append(")")
        }
        if let fromIndex = query.fromIndex {
            q.append(" AND idx >= ")
            q.bind(Int64(fromIndex))
        }
        if let since = query.since {
            q.append(" AND op_timestamp >= ")
            q.bind(since)
        }
        q.append(" ORDER BY ordinal LIMIT ")
        q.bind(Int64(limit + 1))
        let statement = q.query
        let records = try await read { c in try await c.query(statement, logger: logger).collect().map(OperationRow.record) }
        guard records.count > limit else { return Page(items: records, nextCursor: nil) }
        let items = Array(records.prefix(limit))
        return Page(items: items, nextCursor: items.last.map { Page<OperationRecord>.cursor(after: $0.ordinal) })
    }

    /// Which of these operation ids are stored.
    public func existingOperationIDs(_ ids: [String]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let t = tables
        return try await read { c in
            Set(try await c.query("SELECT op_id FROM \(unescaped: t.operations) WHERE op_id = ANY(\(ids))", logger: logger)
                .collect().map { try $0.decode(String.self) })
        }
    }

    // MARK: KeyframeStore

    /// The keyframe of `stream` with the highest index ≤ `index` (the highest overall when `index` is nil).
    public func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe? {
        let t = tables
        let bound = index.map(Int64.init)
        return try await read { c in
            guard let row = try await c.query("""
                SELECT idx, state, hash FROM \(unescaped: t.keyframes)
                WHERE document_id = \(stream.documentID) AND scope = \(stream.scope) AND branch = \(stream.branch)
                    AND (\(bound)::int8 IS NULL OR idx <= \(bound)::int8)
                ORDER BY idx DESC LIMIT 1
                """, logger: logger).collect().first
            else { return nil }
            let (index, state, hash) = try row.decode((Int64, String, String).self)
            return Keyframe(stream: stream, index: Int(index), state: try StoredRecord.json(state, record: "keyframe"), hash: hash)
        }
    }

    // MARK: DocumentViewStore

    /// The header of `id`, deleted or not; nil when unknown.
    public func header(id: String) async throws -> DocumentHeader? {
        let t = tables
        return try await read { c in
            try await c.query("SELECT header FROM \(unescaped: t.documents) WHERE id = \(id)", logger: logger)
                .collect().first.map { try Self.decodeHeader(try $0.decode(String.self)) }
        }
    }

    /// The id of the document with `slug`, if any.
    public func documentID(forSlug slug: String) async throws -> String? {
        let t = tables
        return try await read { c in
            try await c.query("SELECT id FROM \(unescaped: t.documents) WHERE slug = \(slug)", logger: logger)
                .collect().first.map { try $0.decode(String.self) }
        }
    }

    /// One page of headers matching `query`, in creation order; the cursor is the creation sequence number.
    public func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        var q = QueryBuilder("SELECT seq, header FROM \(tables.documents) WHERE seq > ")
        q.bind(after)
        if !query.includeDeleted { q.append(" AND NOT deleted") }
        if let documentType = query.documentType {
            q.append(" AND document_type = ")
            q.bind(documentType)
        }
        if let ids = query.ids {
            q.append(" AND id = ANY(")
            q.bind(ids)
            q.append(")")
        }
        if let slugs = query.slugs {
            q.append(" AND slug = ANY(")
            q.bind(slugs)
            q.append(")")
        }
        if let parentID = query.parentID {
            q.append(" AND id IN (SELECT target_id FROM \(tables.relationships) WHERE source_id = ")
            q.bind(parentID)
            q.append(" AND type = ")
            q.bind(Relationship.child)
            q.append(")")
        }
        q.append(" ORDER BY seq LIMIT ")
        q.bind(Int64(limit + 1))
        let statement = q.query
        let rows = try await read { c in
            try await c.query(statement, logger: logger).collect().map { row -> (seq: Int64, header: DocumentHeader) in
                let (seq, header) = try row.decode((Int64, String).self)
                return (seq, try Self.decodeHeader(header))
            }
        }
        guard rows.count > limit else { return Page(items: rows.map(\.header), nextCursor: nil) }
        let items = rows.prefix(limit)
        return Page(items: items.map(\.header), nextCursor: items.last.map { Page<DocumentHeader>.cursor(after: $0.seq) })
    }

    /// Relationships held by `sourceID` (of `type`, or all types), ordered by type then target.
    public func relationships(from sourceID: String, type: String?) async throws -> [Relationship] {
        let t = tables
        return try await read { c in
            try await c.query("""
                SELECT source_id, target_id, type FROM \(unescaped: t.relationships)
                WHERE source_id = \(sourceID) AND (\(type)::text IS NULL OR type = \(type)::text)
                """, logger: logger).collect().map(Self.decodeRelationship)
        }.sorted { ($0.type, $0.targetID) < ($1.type, $1.targetID) }
    }

    /// Relationships pointing at `targetID` (of `type`, or all types), ordered by type then source.
    public func relationships(to targetID: String, type: String?) async throws -> [Relationship] {
        let t = tables
        return try await read { c in
            try await c.query("""
                SELECT source_id, target_id, type FROM \(unescaped: t.relationships)
                WHERE target_id = \(targetID) AND (\(type)::text IS NULL OR type = \(type)::text)
                """, logger: logger).collect().map(Self.decodeRelationship)
        }.sorted { ($0.type, $0.sourceID) < ($1.type, $1.sourceID) }
    }

    // MARK: CursorStore

    /// The last ordinal `name` finished with, or nil if it never ran.
    public func cursor(named name: String) async throws -> Int64? {
        let t = tables
        return try await read { c in
            try await c.query("SELECT ordinal FROM \(unescaped: t.cursors) WHERE name = \(name)", logger: logger)
                .collect().first.map { try $0.decode(Int64.self) }
        }
    }

    /// Records that `name` finished every operation up to `ordinal` (overwrites the previous value).
    public func saveCursor(named name: String, ordinal: Int64) async throws {
        let t = tables
        try await read { c in
            _ = try await c.query("""
                INSERT INTO \(unescaped: t.cursors) (name, ordinal) VALUES (\(name), \(ordinal))
                ON CONFLICT (name) DO UPDATE SET ordinal = EXCLUDED.ordinal
                """, logger: logger).collect()
        }
    }

    // MARK: Helpers

    static func decodeHeader(_ text: String) throws -> DocumentHeader {
        try StoredRecord.decode("document header") { try DocumentHeader(json: JSONValueCoder.parse(text)) }
    }

    static func decodeRelationship(_ row: PostgresRow) throws -> Relationship {
        let (source, target, type) = try row.decode((String, String, String).self)
        return Relationship(sourceID: source, targetID: target, type: type)
    }
}
