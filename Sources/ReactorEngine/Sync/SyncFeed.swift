import ReactorCore

/// Reads what a peer gets from this reactor: the ordinal feed after a cursor, up to the ready watermark, narrowed to
/// a filter, without the operations that came from that peer (no echo) and without the operations a merge wrote here
/// (markers and re-appended copies: each action is exchanged once, as its original operation).
struct SyncFeed: Sendable {
    let reactor: Reactor

    /// What a peer needs to be served.
    struct Selection: Sendable {
        var filter: SyncFilter
        var since: Int64?
        /// The peer's reactor id (its operations are not sent back).
        var peerID: String?
    }

    /// The next page after `cursor`: at most `limit` operations read (whole commits: a run of one document's
    /// operations is never cut), those selected returned with the state hash before each.
    func page(after cursor: Int64, selection: Selection, limit: Int) async throws -> SyncPage {
        let store = reactor.store
        let ready = reactor.readyOrdinal
        guard cursor < ready else { return SyncPage(operations: [], cursor: max(cursor, 0), hasMore: false) }
        var scanned: [OperationRecord] = []
        var next = cursor
        while true {
            let want = scanned.isEmpty ? limit : 256
            let batch = try await store.operations(afterOrdinal: next, through: ready, limit: want)
            guard let last = batch.last else { break }
            if scanned.isEmpty {
                scanned = batch
            } else {
                // Extending to the end of the last document's run: keep only that run.
                let runDocument = scanned.last!.stream.documentID
                let cut = batch.firstIndex { $0.stream.documentID != runDocument } ?? batch.count
                scanned += batch[..<cut]
                if cut < batch.count { break }
            }
            next = last.ordinal
            if batch.count < want { break }
            if scanned.count >= limit {
                // Stop at a document boundary: peek whether the run goes on.
                let runDocument = scanned.last!.stream.documentID
                guard let peek = try await store.operations(afterOrdinal: next, through: ready, limit: 1).first,
                      peek.stream.documentID == runDocument else { break }
            }
        }
        scanned = Self.capped(scanned, bytes: reactor.syncConfig.maxPageBytes)
        guard let end = scanned.last?.ordinal else { return SyncPage(operations: [], cursor: cursor, hasMore: false) }
        let children: Set<String>
        if let drive = selection.filter.driveID {
            children = Set(try await store.relationships(from: drive, type: Relationship.child).map(\.targetID))
        } else {
            children = []
        }
        var previous: [StreamID: (index: Int, hash: String)] = [:]
        var out = try await backfill(scanned, before: cursor, selection: selection)
        for record in scanned {
            let op = record.operation
            defer { previous[record.stream] = (op.index, op.hash) }
            guard Self.isOriginal(record), record.origin == nil || record.origin != selection.peerID,
                  selection.filter.matches(record, driveChildren: children),
                  selection.since.map({ op.timestamp >= $0 }) ?? true else { continue }
            var before: String?
            if let p = previous[record.stream], p.index == op.index - 1 {
                before = p.hash
            } else if op.index > 0 {
                before = try await store.operations(in: record.stream, fromIndex: op.index - 1, limit: 1).first?.hash
            }
            out.append(SyncOperation(documentID: record.stream.documentID, documentType: record.documentType, scope: record.stream.scope,
                                     branch: record.stream.branch, operation: op, previousHash: before))
        }
        let more = end < ready
        return SyncPage(operations: out, cursor: end, hasMore: more)
    }

    /// The earlier operations of documents that become children of the filter's drive in `scanned`: they were not
    /// selected when their ordinals passed (the document was not a child yet), so they go first, in ordinal order
    /// (the peer drops what it holds already).
    private func backfill(_ scanned: [OperationRecord], before cursor: Int64, selection: Selection) async throws -> [SyncOperation] {
        guard let drive = selection.filter.driveID else { return [] }
        var adopted: [String] = []
        for record in scanned where record.stream.documentID == drive && record.stream.scope == Scope.document
            && record.operation.action.type == SystemAction.addRelationship
            && (record.operation.action.input["type"]?.stringValue ?? Relationship.child) == Relationship.child {
            if let target = record.operation.action.input["targetId"]?.stringValue, !adopted.contains(target) { adopted.append(target) }
        }
        var out: [SyncOperation] = []
        for documentID in adopted {
            let earlier = try await Self.records(of: documentID, branch: selection.filter.branch, in: reactor.store)
                .filter { $0.ordinal <= cursor && Self.isOriginal($0) && ($0.origin == nil || $0.origin != selection.peerID) }
            for record in earlier where selection.since.map({ record.operation.timestamp >= $0 }) ?? true {
                out.append(SyncOperation(documentID: documentID, documentType: record.documentType, scope: record.stream.scope,
                                         branch: record.stream.branch, operation: record.operation))
            }
        }
        return out
    }

    /// Every stored operation of a document branch, in ordinal order.
    static func records(of documentID: String, branch: String, in store: any ReactorStore) async throws -> [OperationRecord] {
        var out: [OperationRecord] = []
        var page = PageRequest(limit: PageRequest.maxLimit)
        while true {
            let result = try await store.operations(matching: OperationQuery(documentID: documentID, branch: branch), page: page)
            out += result.items
            guard let next = result.nextCursor, !result.items.isEmpty else { break }
            page = PageRequest(cursor: next, limit: PageRequest.maxLimit)
        }
        return out.sorted { $0.ordinal < $1.ordinal }
    }

    /// The records up to about `bytes` of operations: cut at the first change of document after the limit (a run of
    /// one document's operations, so a job, is never cut; the first run is always kept whole).
    static func capped(_ records: [OperationRecord], bytes: Int) -> [OperationRecord] {
        var total = 0
        for (i, record) in records.enumerated() {
            if total > bytes, i > 0, record.stream.documentID != records[i - 1].stream.documentID {
                return Array(records[..<i])
            }
            total += Job.size(of: record.operation)
        }
        return records
    }

    /// Whether a stored operation is exchanged: not a merge marker, not a copy a merge re-appended, not an upgrade
    /// step an `UPGRADE_DOCUMENT` generated in a model scope (the peer generates its own).
    static func isOriginal(_ record: OperationRecord) -> Bool {
        let op = record.operation
        if op.action.type == BaseAction.merge { return false }
        if op.action.type == BaseAction.upgrade, record.stream.scope != Scope.document { return false }
        return op.id == OperationID.make(stream: record.stream, actionID: op.action.id)
    }
}
