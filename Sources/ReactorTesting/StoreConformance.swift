import ReactorCore

/// The conformance suite every ``ReactorStore`` adapter passes (in-memory, SQLite, PostgreSQL …).
///
/// Each case expects a freshly migrated, empty store of its own. The suite checks the promises of the store
/// protocols: atomic commits with typed failures (`DOCUMENT_EXISTS`, `DOCUMENT_NOT_FOUND`, `SLUG_TAKEN`,
/// `REVISION_CONFLICT`, `OPERATION_GAP`), exact round trips of everything stored, concurrent writers racing on one
/// stream, ordinals and the ordinal feed, every query filter and paging, keyframes, relationships, headers,
/// cursors, document loads in one snapshot, the relationship graph, and sync's persistence (``SyncRecordStore``, which every adapter implements, and operation origins).
public enum StoreConformance {
    /// Every case, in a stable order.
    public static let cases: [ConformanceCase] = writeCases + failureCases + concurrencyCases + readCases + viewCases + loadCases + syncCases

    // MARK: Helpers shared by the cases

    /// Commits one commit and returns its result (checking that the store gave exactly one).
    static func commitOne(_ store: any ReactorStore, _ commit: Commit) async throws -> Result<CommitReceipt, ReactorError> {
        let results = await store.commit([commit])
        try check(results.count == 1, "commit of 1 commit returned \(results.count) results")
        return results[0]
    }

    /// Commits one commit that must succeed.
    @discardableResult
    static func commitOK(_ store: any ReactorStore, _ commit: Commit, _ context: String, file: StaticString = #fileID, line: UInt = #line) async throws -> CommitReceipt {
        try checkSuccess(try await commitOne(store, commit), context, file: file, line: line)
    }

    /// Fetches every page of a paged read, checking the paging contract (full pages carry a cursor, the last page
    /// none) on the way.
    static func allPages<T: Sendable>(
        limit: Int, _ context: String, file: StaticString = #fileID, line: UInt = #line,
        _ fetch: (PageRequest) async throws -> Page<T>
    ) async throws -> [T] {
        var out: [T] = []
        var cursor: String?
        for _ in 0..<10_000 {
            let page = try await fetch(PageRequest(cursor: cursor, limit: limit))
            try check(page.items.count <= limit, "\(context): page of \(page.items.count) items exceeds limit \(limit)", file: file, line: line)
            out += page.items
            guard let next = page.nextCursor else { return out }
            try check(page.items.count == limit, "\(context): a page with a next cursor has \(page.items.count) items, not \(limit)", file: file, line: line)
            try check(next != cursor, "\(context): the cursor did not advance", file: file, line: line)
            cursor = next
        }
        throw ConformanceFailure("\(context): paging did not end", file: file, line: line)
    }
}
