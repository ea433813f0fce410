import GRDB
import ReactorCore

extension SQLiteStore {
    /// Ids of the live targets of `id`'s `child` relationships, in id order (one statement).
    public func children(of id: String) async throws -> [String] {
        try await read { db in try String.fetchAll(db.cachedStatement(sql: GraphSQL.children), arguments: [id, Relationship.child]) }
    }

    /// Every live ancestor of `id`, nearest first: one recursive statement reads the live parents of every document of
    /// the walk, which then runs in memory (``DocumentGraph/breadthFirstAncestors(of:parents:)``).
    public func ancestors(of id: String) async throws -> [String] {
        let parents = try await read { db in
            var parents: [String: [String]] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: GraphSQL.ancestorEdges), arguments: [id, Relationship.child])
            while let row = try rows.next() {
                parents[try row.decode(String.self, atIndex: 0), default: []].append(try row.decode(String.self, atIndex: 1))
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
        let rows = try await read { db in
            var out: [(seq: Int64, id: String)] = []
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: GraphSQL.orphans), arguments: [after, documentType, Relationship.child, limit + 1])
            while let row = try rows.next() { out.append((try row.decode(Int64.self, atIndex: 0), try row.decode(String.self, atIndex: 1))) }
            return out
        }
        guard rows.count > limit else { return Page(items: rows.map(\.id), nextCursor: nil) }
        let items = rows.prefix(limit)
        return Page(items: items.map(\.id), nextCursor: items.last.map { Page<String>.cursor(after: $0.seq) })
    }
}

private enum GraphSQL {
    static let children = """
        SELECT r.target_id FROM relationships r JOIN documents d ON d.id = r.target_id AND d.deleted = 0
        WHERE r.source_id = ?1 AND r.type = ?2 ORDER BY r.target_id
        """
    /// (child, live parent) for every document reached walking up from ?1 through live parents. `UNION` keeps each
    /// document once, so a cycle ends the walk.
    static let ancestorEdges = """
        WITH RECURSIVE walk(id) AS (
            SELECT ?1
            UNION
            SELECT r.source_id FROM walk JOIN relationships r ON r.target_id = walk.id AND r.type = ?2
            JOIN documents d ON d.id = r.source_id AND d.deleted = 0
        )
        SELECT r.target_id, r.source_id FROM walk JOIN relationships r ON r.target_id = walk.id AND r.type = ?2
        JOIN documents d ON d.id = r.source_id AND d.deleted = 0
        ORDER BY r.target_id, r.source_id
        """
    static let orphans = """
        SELECT d.seq, d.id FROM documents d
        WHERE d.seq > ?1 AND d.deleted = 0 AND (?2 IS NULL OR d.document_type = ?2)
            AND NOT EXISTS (
                SELECT 1 FROM relationships r JOIN documents p ON p.id = r.source_id AND p.deleted = 0
                WHERE r.target_id = d.id AND r.type = ?3)
        ORDER BY d.seq LIMIT ?4
        """
}
