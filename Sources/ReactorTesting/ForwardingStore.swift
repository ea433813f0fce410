import ReactorCore

/// A ``ReactorStore`` that forwards every call to another store. Subclass it to observe or alter a few calls
/// (counting reads, injecting failures) without repeating the whole protocol.
///
/// `@unchecked Sendable`: its only state is the immutable `base`; subclasses must keep their own state thread-safe.
open class ForwardingStore: ReactorStore, SyncRecordStore, @unchecked Sendable {
    /// The wrapped store.
    public let base: any ReactorStore

    /// Wraps `base`.
    public init(_ base: any ReactorStore) {
        self.base = base
    }

    open func migrate() async throws { try await base.migrate() }
    open func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] { await base.commit(commits) }
    open func close() async throws { try await base.close() }
    open func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [Operation] {
        try await base.operations(in: stream, fromIndex: fromIndex, limit: limit)
    }
    open func revisions(documentID: String, branch: String) async throws -> [String: Int] {
        try await base.revisions(documentID: documentID, branch: branch)
    }
    open func operations(matching query: OperationQuery, page: PageRequest) async throws -> Page<OperationRecord> {
        try await base.operations(matching: query, page: page)
    }
    open func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord] {
        try await base.operations(afterOrdinal: ordinal, limit: limit)
    }
    open func latestOrdinal() async throws -> Int64 { try await base.latestOrdinal() }
    open func operations(afterOrdinal ordinal: Int64, through: Int64, limit: Int) async throws -> [OperationRecord] {
        try await base.operations(afterOrdinal: ordinal, through: through, limit: limit)
    }
    open func completeOrdinal() async throws -> Int64 { try await base.completeOrdinal() }
    open func existingOperationIDs(_ ids: [String]) async throws -> Set<String> { try await base.existingOperationIDs(ids) }
    open func lastOperationIndex(in stream: StreamID, atOrBefore timestamp: Int64) async throws -> Int? {
        try await base.lastOperationIndex(in: stream, atOrBefore: timestamp)
    }
    open func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe? {
        try await base.latestKeyframe(of: stream, atOrBefore: index)
    }
    open func header(id: String) async throws -> DocumentHeader? { try await base.header(id: id) }
    open func documentID(forSlug slug: String) async throws -> String? { try await base.documentID(forSlug: slug) }
    open func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader> {
        try await base.findHeaders(matching: query, page: page)
    }
    open func relationships(from sourceID: String, type: String?) async throws -> [Relationship] {
        try await base.relationships(from: sourceID, type: type)
    }
    open func relationships(to targetID: String, type: String?) async throws -> [Relationship] {
        try await base.relationships(to: targetID, type: type)
    }
    open func loadDocument(id: String, branch: String) async throws -> StoredDocument? {
        try await base.loadDocument(id: id, branch: branch)
    }
    open func children(of id: String) async throws -> [String] { try await base.children(of: id) }
    open func ancestors(of id: String) async throws -> [String] { try await base.ancestors(of: id) }
    open func orphans(documentType: String?, page: PageRequest) async throws -> Page<String> {
        try await base.orphans(documentType: documentType, page: page)
    }
    open func cursor(named name: String) async throws -> Int64? { try await base.cursor(named: name) }
    open func saveCursor(named name: String, ordinal: Int64) async throws { try await base.saveCursor(named: name, ordinal: ordinal) }

    // MARK: Sync records (passed through; `UNSUPPORTED` when the wrapped store keeps none)

    private var syncBase: any SyncRecordStore {
        get throws {
            guard let records = base as? any SyncRecordStore else {
                throw ReactorError(.unsupported, "the wrapped store keeps no sync records")
            }
            return records
        }
    }

    open func putSyncRecord(kind: String, key: String, value: String) async throws {
        try await syncBase.putSyncRecord(kind: kind, key: key, value: value)
    }
    open func insertSyncRecordIfAbsent(kind: String, key: String, value: String) async throws -> String {
        try await syncBase.insertSyncRecordIfAbsent(kind: kind, key: key, value: value)
    }
    open func syncRecord(kind: String, key: String) async throws -> String? { try await syncBase.syncRecord(kind: kind, key: key) }
    open func syncRecords(kind: String, after: String?, limit: Int) async throws -> [SyncRecord] {
        try await syncBase.syncRecords(kind: kind, after: after, limit: limit)
    }
    open func deleteSyncRecords(kind: String, key: String?) async throws -> Int { try await syncBase.deleteSyncRecords(kind: kind, key: key) }
}
