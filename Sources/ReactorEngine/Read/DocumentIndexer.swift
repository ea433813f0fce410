import ReactorCore

/// Answers questions about the relationship graph (`child` relationships) from the store's document view, leaving
/// deleted documents out.
public struct DocumentIndexer: Sendable {
    let store: any ReactorStore
    let cache: WriteCache

    /// Ids of `id`'s children, deleted ones left out.
    public func children(of id: String) async throws -> [String] {
        try await live(try await store.relationships(from: id, type: Relationship.child).map(\.targetID))
    }

    /// Ids of the documents that have `id` as a child, deleted ones left out.
    public func parents(of id: String) async throws -> [String] {
        try await live(try await store.relationships(to: id, type: Relationship.child).map(\.sourceID))
    }

    /// Every ancestor of `id` (parents, their parents, …), nearest first, each once.
    public func ancestors(of id: String) async throws -> [String] {
        var out: [String] = []
        var seen: Set<String> = [id]
        var frontier = [id]
        while !frontier.isEmpty {
            var next: [String] = []
            for doc in frontier {
                for parent in try await parents(of: doc) where seen.insert(parent).inserted {
                    out.append(parent)
                    next.append(parent)
                }
            }
            frontier = next
        }
        return out
    }

    /// Live documents (of `documentType`, if given) that are nobody's child, in creation order. The page holds up to
    /// `page.limit` ids; its cursor continues the scan.
    public func orphans(documentType: String? = nil, page: PageRequest = PageRequest()) async throws -> Page<String> {
        let limit = try page.validatedLimit()
        var cursor = page.cursor
        var out: [String] = []
        while true {
            let headers = try await store.findHeaders(matching: DocumentQuery(documentType: documentType), page: PageRequest(cursor: cursor, limit: limit))
            for header in headers.items where try await parents(of: header.id).isEmpty {
                out.append(header.id)
            }
            cursor = headers.nextCursor
            if out.count >= limit || cursor == nil { return Page(items: out, nextCursor: cursor) }
        }
    }

    private func live(_ ids: [String]) async throws -> [String] {
        var out: [String] = []
        for id in ids {
            if let cached = cache.get(id, branch: Branch.main) {
                if !cached.header.isDeleted { out.append(id) }
            } else if let header = try await store.header(id: id), !header.isDeleted {
                out.append(id)
            }
        }
        return out
    }
}
