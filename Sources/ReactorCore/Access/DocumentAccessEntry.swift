/// What decides who may use one document: its creator, its own grants (in the order they were set) and its parents
/// (the sources of its `child` relationships, deleted ones included).
public struct DocumentAccessEntry: Sendable, Hashable {
    /// The `createdBy` of its `CREATE_DOCUMENT` (nil for documents created without permissions).
    public var creator: String?
    /// Its grants, oldest first.
    public var grants: [Grant]
    /// Ids of the documents it is a child of.
    public var parents: [String]

    public init(creator: String?, grants: [Grant], parents: [String]) {
        self.creator = creator
        self.grants = grants
        self.parents = parents
    }

    /// Creator and grants as the document scope's state holds them (`createdBy`, `grants`); grants that do not
    /// parse are skipped (the reducer never stores one).
    public init(documentState state: JSONValue?, parents: [String]) {
        self.init(creator: state?["createdBy"]?.stringValue,
                  grants: (state?["grants"]?.arrayValue ?? []).compactMap(Grant.init(json:)), parents: parents)
    }
}

/// The permission model (`docs/security.md`), as a pure function of the documents' entries.
///
/// A principal's capability on a document is, in order:
/// 1. `administer` when the principal administers everything (no `[auth]`, or the `admin` role);
/// 2. `administer` when it created the document or one of its ancestors (ownership flows down the drive);
/// 3. else the capability of the **last** of the document's own grants that matches the principal;
/// 4. else, when none matches, the highest capability its parents give it (each by rules 3–4); `none` at a root.
public enum DocumentAccessRules {
    /// The deepest ancestry walked; beyond it a document inherits nothing (the graph has no cycles, this bounds it).
    public static let maxDepth = 64

    /// The capability of `principal` on `id`, reading entries with `entry` (nil: the document does not exist, and the
    /// answer is nil too for `id` itself).
    public static func capability(
        of principal: Principal, on id: String, entry: (String) async throws -> DocumentAccessEntry?
    ) async throws -> Capability? {
        if principal.isUnrestricted { return .administer }
        guard let root = try await entry(id) else { return nil }
        if principal.administersEverything { return .administer }
        var entries: [String: DocumentAccessEntry] = [id: root]
        // Every ancestor, breadth first, each once.
        var frontier = root.parents
        var depth = 0
        while !frontier.isEmpty, depth < maxDepth {
            var next: [String] = []
            for parent in frontier where entries[parent] == nil {
                if let e = try await entry(parent) {
                    entries[parent] = e
                    next.append(contentsOf: e.parents)
                }
            }
            frontier = next
            depth += 1
        }
        if let subject = principal.subject, entries.values.contains(where: { $0.creator == subject }) { return .administer }
        var memo: [String: Capability] = [:]
        return granted(principal, id, entries, &memo, depth: 0)
    }

    private static func granted(_ principal: Principal, _ id: String, _ entries: [String: DocumentAccessEntry],
                                _ memo: inout [String: Capability], depth: Int) -> Capability {
        if let known = memo[id] { return known }
        guard let e = entries[id], depth < maxDepth else { return .none }
        memo[id] = Capability.none // a cycle (never stored) inherits nothing
        let result: Capability
        if let own = e.grants.last(where: { $0.principal.matches(principal) }) {
            result = own.capability
        } else {
            result = e.parents.map { granted(principal, $0, entries, &memo, depth: depth + 1) }.max() ?? Capability.none
        }
        memo[id] = result
        return result
    }
}
