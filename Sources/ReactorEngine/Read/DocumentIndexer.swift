import ReactorCore

/// Answers questions about the relationship graph (`child` relationships) from the store's document view, leaving
/// deleted documents out.
public struct DocumentIndexer: Sendable {
    let store: any ReactorStore
    let cache: WriteCache

    /// Ids of `id`'s children, deleted ones left out, in id order (one store query).
    public func children(of id: String) async throws -> [String] {
        try await store.children(of: id)
    }

    /// Ids of the documents that have `id` as a child, deleted ones left out.
    public func parents(of id: String) async throws -> [String] {
        try await live(try await store.relationships(to: id, type: Relationship.child).map(\.sourceID))
    }

    /// Every ancestor of `id` (parents, their parents, …), nearest first, each once; the walk goes through live
    /// documents only (one recursive store query, ``DocumentGraphStore/ancestors(of:)``).
    public func ancestors(of id: String) async throws -> [String] {
        try await store.ancestors(of: id)
    }

    /// Live documents (of `documentType`, if given) that are nobody's child (no live document's), in creation order.
    /// The page holds up to `page.limit` ids; its cursor continues the scan (one store query).
    public func orphans(documentType: String? = nil, page: PageRequest = PageRequest()) async throws -> Page<String> {
        try await store.orphans(documentType: documentType, page: page)
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
