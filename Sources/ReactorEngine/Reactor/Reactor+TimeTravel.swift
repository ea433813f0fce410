import ReactorCore

/// Time travel (`docs/time-travel.md`): documents as they were, and the differences between revisions.
extension Reactor {
    /// The document `id` on `branch` as it was at `point`: each scope's state and hash at its revision there, and a
    /// header whose `revision`, `lastModifiedAt`, `name`, `slug` and `modelVersion` are those of that point.
    ///
    /// Each stream is reduced from its newest keyframe at or before the point (a scope already at its current
    /// revision comes from the current snapshot), so the read costs the operations since that keyframe, never a
    /// replay from the start when a keyframe exists. Undo, redo, prune and merges give the state a load gave at that
    /// revision. A document deleted since can be read as it was before its deletion.
    ///
    /// Throws `DOCUMENT_NOT_FOUND`; `DOCUMENT_DELETED` when the document was deleted at the point;
    /// `INVALID_ARGUMENT` with `path` `revision` (an unknown scope, a revision outside 0…the stream's revision) or `at`
    /// (a moment before the document's creation); `CONSISTENCY_TIMEOUT` with a `token`.
    public func get(_ id: String, at point: DocumentPoint, branch: String = Branch.main,
                    consistencyToken token: ConsistencyToken? = nil) async throws -> Document {
        let current = try await currentSnapshot(id, branch: branch, consistencyToken: token)
        let past = try await loader.snapshot(current, at: point)
        guard past.scopes[Scope.document]?.state["deleted"]?.boolValue != true else { throw ReactorError.documentDeleted(id) }
        return past.document
    }

    /// ``get(_:at:branch:consistencyToken:)`` of the document whose id or slug is `identifier` (its id or slug now).
    public func getByIdOrSlug(_ identifier: String, at point: DocumentPoint, branch: String = Branch.main,
                              consistencyToken token: ConsistencyToken? = nil) async throws -> Document {
        try await get(try await documentID(identifier, consistencyToken: token), at: point, branch: branch, consistencyToken: token)
    }

    /// How the state of `scope` changed from revision `from` to revision `to` (each from 0, the initial state, to the
    /// stream's revision now; `from` may be after `to`): an RFC 6902 JSON Patch and the state hashes at both ends.
    /// Each end costs the operations since its newest keyframe. Also for a deleted document.
    ///
    /// Throws `DOCUMENT_NOT_FOUND`, or `INVALID_ARGUMENT` with `path` `scope` (a scope the document does not have),
    /// `from` or `to` (outside 0…the stream's revision).
    public func diff(_ id: String, scope: String, from: Int, to: Int, branch: String = Branch.main,
                     consistencyToken token: ConsistencyToken? = nil) async throws -> DocumentDiff {
        let current = try await currentSnapshot(id, branch: branch, consistencyToken: token)
        return try await loader.diff(current, scope: scope, from: from, to: to)
    }

    /// The document's snapshot now (deleted or not), at least as new as `token`.
    private func currentSnapshot(_ id: String, branch: String, consistencyToken token: ConsistencyToken?) async throws -> DocumentSnapshot {
        if let token { try await consistency.wait(for: token, store: store, timeout: Self.defaultConsistencyTimeout) }
        guard let current = try await snapshot(id, branch: branch, covering: token) else { throw ReactorError.documentNotFound(id) }
        return current
    }
}
