/// The relationship graph of `child` relationships, answered by the store with one query each (a recursive one for
/// ancestors), leaving deleted documents out.
///
/// A document is *live* when its header exists and is not deleted. Relationships whose other end is not live are
/// ignored: a deleted (or unknown) parent is nobody's parent, and the walk up to the ancestors does not go through it.
public protocol DocumentGraphStore: Sendable {
    /// Ids of the live targets of `id`'s `child` relationships, in id order.
    func children(of id: String) async throws -> [String]
    /// Every live ancestor of `id` (its live parents, their live parents, …), each once, nearest first: breadth first
    /// from `id`, the parents of one document in id order. `id` itself is never listed, even on a cycle.
    func ancestors(of id: String) async throws -> [String]
    /// One page of the live documents (of `documentType`, if given) that are no live document's child, in creation
    /// order; the cursor continues after the page's last document.
    func orphans(documentType: String?, page: PageRequest) async throws -> Page<String>
}

/// Helpers shared by the ``DocumentGraphStore`` adapters.
public enum DocumentGraph {
    /// The breadth-first walk of ``DocumentGraphStore/ancestors(of:)`` over `parents` (each live document's live
    /// parents, in any order), for stores that read the parents of the whole walk at once.
    public static func breadthFirstAncestors(of id: String, parents: [String: [String]]) -> [String] {
        var out: [String] = []
        var seen: Set<String> = [id]
        var frontier = [id]
        while !frontier.isEmpty {
            var next: [String] = []
            for doc in frontier {
                for parent in (parents[doc] ?? []).sorted() where seen.insert(parent).inserted {
                    out.append(parent)
                    next.append(parent)
                }
            }
            frontier = next
        }
        return out
    }
}
