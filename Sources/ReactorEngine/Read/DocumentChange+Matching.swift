import ReactorCore

extension DocumentChange {
    /// Whether `query` matches the change: the document's header, with the given parents; a deletion matches queries
    /// that leave deleted documents out too (a subscriber learns that its document went away).
    func matches(_ query: DocumentQuery, parents: @autoclosure () -> [String]) -> Bool {
        var query = query
        query.includeDeleted = query.includeDeleted || kind == .deleted
        return query.matches(document.header, parents: parents())
    }

    /// The first ordinal of the change.
    var firstOrdinal: Int64 { operations.map(\.ordinal).min() ?? 0 }
}
