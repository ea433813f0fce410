import ReactorCore

/// Everything a store holds about some documents, to check that a failed commit changed nothing.
struct StoreSnapshot: Equatable {
    var headers: [String: DocumentHeader?] = [:]
    var revisions: [String: [String: Int]] = [:]
    var feed: [OperationRecord] = []
    var latestOrdinal: Int64 = 0
    var keyframes: [StreamID: Keyframe?] = [:]
    var outgoing: [String: [Relationship]] = [:]
    var incoming: [String: [Relationship]] = [:]
    var slugs: [String: String?] = [:]
    var headerPage: [DocumentHeader] = []

    /// Reads the state of `documentIDs` (their headers, revisions, relationships), of `streams` (keyframes), of
    /// `slugs`, and the whole operation feed.
    static func take(
        _ store: any ReactorStore, documentIDs: [String], streams: [StreamID] = [], slugs: [String] = []
    ) async throws -> StoreSnapshot {
        var s = StoreSnapshot()
        for id in documentIDs {
            s.headers[id] = try await store.header(id: id)
            s.revisions[id] = try await store.revisions(documentID: id, branch: Branch.main)
            s.outgoing[id] = try await store.relationships(from: id, type: nil)
            s.incoming[id] = try await store.relationships(to: id, type: nil)
        }
        for stream in streams { s.keyframes[stream] = try await store.latestKeyframe(of: stream, atOrBefore: nil) }
        for slug in slugs { s.slugs[slug] = try await store.documentID(forSlug: slug) }
        s.feed = try await store.operations(afterOrdinal: 0, limit: 100_000)
        s.latestOrdinal = try await store.latestOrdinal()
        s.headerPage = try await store.findHeaders(matching: DocumentQuery(includeDeleted: true), page: PageRequest(limit: 1_000)).items
        return s
    }
}
