import PostgresNIO
import ReactorCore

extension PostgresStore {
    /// Ids of the live targets of `id`'s `child` relationships, in id order (one statement).
    public func children(of id: String) async throws -> [String] {
        let t = tables
        return try await read { c in
            try await c.query("""
                SELECT r.target_id FROM \(unescaped: t.relationships) r
                JOIN \(unescaped: t.documents) d ON d.id = r.target_id AND NOT d.deleted
                WHERE r.source_id = \(id) AND r.type = \(Relationship.child)
                """, logger: logger).collect().map { try $0.decode(String.self) }
        }.sorted()
    }

    /// Every live ancestor of `id`, nearest first: one recursive statement reads the live parents of every document of
    /// the walk, which then runs in memory (``DocumentGraph/breadthFirstAncestors(of:parents:)``).
    public func ancestors(of id: String) async throws -> [String] {
        let t = tables
        let parents = try await read { c in
            var parents: [String: [String]] = [:]
            // `UNION` keeps each document of the walk once, so a cycle ends it.
            for row in try await c.query("""
                WITH RECURSIVE walk(id) AS (
                    SELECT \(id)::text
                    UNION
                    SELECT r.source_id FROM walk JOIN \(unescaped: t.relationships) r ON r.target_id = walk.id AND r.type = \(Relationship.child)
                    JOIN \(unescaped: t.documents) d ON d.id = r.source_id AND NOT d.deleted
                )
                SELECT r.target_id, r.source_id FROM walk
                JOIN \(unescaped: t.relationships) r ON r.target_id = walk.id AND r.type = \(Relationship.child)
                JOIN \(unescaped: t.documents) d ON d.id = r.source_id AND NOT d.deleted
                """, logger: logger).collect() {
                let (child, parent) = try row.decode((String, String).self)
                parents[child, default: []].append(parent)
            }
            return parents
        }
        return DocumentGraph.breadthFirstAncestors(of: id, parents: parents)
    }

    /// One page of the live documents (of `documentType`, if given) that are no live document's child, in creation
    /// order; the cursor is the creation sequence number (one statement).
    public func orphans(documentType: String?, page: PageRequest) async throws -> Page<String> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        let t = tables
        let rows = try await read { c in
            try await c.query("""
                SELECT d.seq, d.id FROM \(unescaped: t.documents) d
                WHERE d.seq > \(after) AND NOT d.deleted AND (\(documentType)::text IS NULL OR d.document_type = \(documentType)::text)
                    AND NOT EXISTS (
                        SELECT 1 FROM \(unescaped: t.relationships) r JOIN \(unescaped: t.documents) p ON p.id = r.source_id AND NOT p.deleted
                        WHERE r.target_id = d.id AND r.type = \(Relationship.child))
                ORDER BY d.seq LIMIT \(Int64(limit + 1))
                """, logger: logger).collect().map { try $0.decode((Int64, String).self) }
        }
        guard rows.count > limit else { return Page(items: rows.map(\.1), nextCursor: nil) }
        let items = rows.prefix(limit)
        return Page(items: items.map(\.1), nextCursor: items.last.map { Page<String>.cursor(after: $0.0) })
    }
}
