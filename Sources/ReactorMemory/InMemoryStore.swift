import ReactorCore
import Synchronization

/// A complete ``ReactorStore`` held in memory: the default for tests and for embedding when nothing needs to
/// survive the process. Thread-safe; every commit is atomic.
public final class InMemoryStore: ReactorStore {
    private struct StreamLog {
        var operations: [Operation] = []
        var ordinals: [Int64] = []
        var origins: [String?] = []
    }

    private struct State {
        var streams: [StreamID: StreamLog] = [:]
        var documentTypes: [String: String] = [:]
        var headers: [String: DocumentHeader] = [:]
        var headerSequence: [String: Int64] = [:]
        var headersInOrder: [(seq: Int64, id: String)] = []
        var slugs: [String: String] = [:]
        var keyframes: [StreamID: [Keyframe]] = [:]
        /// source -> set of relationships
        var outgoing: [String: Set<Relationship>] = [:]
        var incoming: [String: Set<Relationship>] = [:]
        var records: [OperationRecord] = []  // in ordinal order
        var operationIDs: Set<String> = []
        var cursors: [String: Int64] = [:]
        var syncRecords: [String: [String: String]] = [:]
        var nextOrdinal: Int64 = 1
        var nextHeaderSequence: Int64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    public func migrate() async throws {}

    public func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        state.withLock { s in commits.map { Self.apply($0, to: &s) } }
    }

    private static func apply(_ commit: Commit, to s: inout State) -> Result<CommitReceipt, ReactorError> {
        let header = commit.header
        // Validate everything first: nothing is written unless all of it can be.
        if commit.createsDocument, s.headers[header.id] != nil {
            return .failure(ReactorError(.documentExists, "document '\(header.id)' already exists", details: ["documentId": header.id]))
        }
        if !commit.createsDocument, s.headers[header.id] == nil {
            return .failure(.documentNotFound(header.id))
        }
        if let slug = header.slug, let owner = s.slugs[slug], owner != header.id {
            return .failure(ReactorError(.slugTaken, "slug '\(slug)' is used by document '\(owner)'", details: ["slug": slug]))
        }
        var newIDs = Set<String>()
        var seenStreams = Set<StreamID>()
        for append in commit.appends {
            guard seenStreams.insert(append.stream).inserted else {
                return .failure(ReactorError(.revisionConflict, "stream \(append.stream) appears twice in one commit",
                                             details: ["stream": append.stream.description], isTransient: false))
            }
            let current = s.streams[append.stream]?.operations.count ?? 0
            if current != append.expectedRevision {
                return .failure(.revisionConflict(append.stream, expected: append.expectedRevision, actual: current))
            }
            for (offset, op) in append.operations.enumerated() where op.index != append.expectedRevision + offset {
                return .failure(ReactorError(.operationGap, "operation index \(op.index) does not follow \(append.expectedRevision + offset - 1) in \(append.stream)"))
            }
            for op in append.operations {
                if s.operationIDs.contains(op.id) || !newIDs.insert(op.id).inserted {
                    return .failure(ReactorError(.revisionConflict, "operation '\(op.id)' is already stored", details: ["operationId": op.id]))
                }
            }
        }
        // Write.
        if let old = s.headers[header.id], let oldSlug = old.slug, oldSlug != header.slug { s.slugs[oldSlug] = nil }
        if let slug = header.slug { s.slugs[slug] = header.id }
        if s.headerSequence[header.id] == nil {
            let seq = s.nextHeaderSequence
            s.nextHeaderSequence += 1
            s.headerSequence[header.id] = seq
            s.headersInOrder.append((seq, header.id))
        }
        s.headers[header.id] = header
        s.documentTypes[header.id] = header.documentType
        var records: [OperationRecord] = []
        for append in commit.appends {
            for op in append.operations {
                let record = OperationRecord(stream: append.stream, documentType: header.documentType, ordinal: s.nextOrdinal, operation: op,
                                             origin: commit.origin)
                s.nextOrdinal += 1
                // Appended in place: copying the log out of the dictionary would copy the whole stream.
                s.streams[append.stream, default: StreamLog()].operations.append(op)
                s.streams[append.stream, default: StreamLog()].ordinals.append(record.ordinal)
                s.streams[append.stream, default: StreamLog()].origins.append(commit.origin)
                s.records.append(record)
                s.operationIDs.insert(op.id)
                records.append(record)
            }
        }
        for kf in commit.keyframes { s.keyframes[kf.stream, default: []].append(kf) }
        for r in commit.relationshipsAdded {
            s.outgoing[r.sourceID, default: []].insert(r)
            s.incoming[r.targetID, default: []].insert(r)
        }
        for r in commit.relationshipsRemoved {
            s.outgoing[r.sourceID]?.remove(r)
            s.incoming[r.targetID]?.remove(r)
        }
        return .success(CommitReceipt(records: records))
    }

    // MARK: OperationStore

    public func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [Operation] {
        state.withLock { s in
            guard let ops = s.streams[stream]?.operations, fromIndex < ops.count else { return [] }
            let start = max(0, fromIndex)
            let end = limit.map { min(ops.count, start + max(0, $0)) } ?? ops.count
            return Array(ops[start..<end])
        }
    }

    public func lastOperationIndex(in stream: StreamID, atOrBefore timestamp: Int64) async throws -> Int? {
        state.withLock { s in s.streams[stream]?.operations.last { $0.timestamp <= timestamp }?.index }
    }

    public func revisions(documentID: String, branch: String) async throws -> [String: Int] {
        state.withLock { s in
            var out: [String: Int] = [:]
            for (stream, log) in s.streams where stream.documentID == documentID && stream.branch == branch {
                out[stream.scope] = log.operations.count
            }
            return out
        }
    }

    public func operations(matching query: OperationQuery, page: PageRequest) async throws -> Page<OperationRecord> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        return state.withLock { s in
            var items: [OperationRecord] = []
            var streams = s.streams.keys.filter { $0.documentID == query.documentID && $0.branch == query.branch }
            if let scopes = query.scopes { streams = streams.filter { scopes.contains($0.scope) } }
            var candidates: [OperationRecord] = []
            for stream in streams {
                let log = s.streams[stream]!
                let type = s.documentTypes[stream.documentID] ?? ""
                for (i, op) in log.operations.enumerated() where log.ordinals[i] > after {
                    let record = OperationRecord(stream: stream, documentType: type, ordinal: log.ordinals[i], operation: op, origin: log.origins[i])
                    if query.matches(record) { candidates.append(record) }
                }
            }
            candidates.sort { $0.ordinal < $1.ordinal }
            items = Array(candidates.prefix(limit))
            let next = candidates.count > limit ? items.last.map { Page<OperationRecord>.cursor(after: $0.ordinal) } : nil
            return Page(items: items, nextCursor: next)
        }
    }

    public func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord] {
        state.withLock { s in
            // Ordinals are dense in memory: record k has ordinal k + 1.
            let start = Int(max(0, ordinal))
            guard start < s.records.count, limit > 0 else { return [] }
            return Array(s.records[start..<min(s.records.count, start + limit)])
        }
    }

    public func latestOrdinal() async throws -> Int64 {
        state.withLock { $0.nextOrdinal - 1 }
    }

    public func existingOperationIDs(_ ids: [String]) async throws -> Set<String> {
        state.withLock { s in Set(ids.filter { s.operationIDs.contains($0) }) }
    }

    // MARK: KeyframeStore

    public func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe? {
        state.withLock { s in
            guard let frames = s.keyframes[stream] else { return nil }
            return frames.filter { index == nil || $0.index <= index! }.max { $0.index < $1.index }
        }
    }

    // MARK: DocumentViewStore

    public func header(id: String) async throws -> DocumentHeader? {
        state.withLock { $0.headers[id] }
    }

    public func documentID(forSlug slug: String) async throws -> String? {
        state.withLock { $0.slugs[slug] }
    }

    public func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        return state.withLock { s in
            var items: [DocumentHeader] = []
            var lastSeq: Int64 = 0
            var more = false
            for (seq, id) in s.headersInOrder where seq > after {
                guard let header = s.headers[id] else { continue }
                let parents = query.parentID == nil ? [] : (s.incoming[id] ?? []).filter { $0.type == Relationship.child }.map(\.sourceID)
                guard query.matches(header, parents: parents) else { continue }
                if items.count == limit { more = true; break }
                items.append(header)
                lastSeq = seq
            }
            return Page(items: items, nextCursor: more ? Page<DocumentHeader>.cursor(after: lastSeq) : nil)
        }
    }

    public func relationships(from sourceID: String, type: String?) async throws -> [Relationship] {
        state.withLock { s in
            (s.outgoing[sourceID] ?? []).filter { type == nil || $0.type == type }.sorted { ($0.type, $0.targetID) < ($1.type, $1.targetID) }
        }
    }

    public func relationships(to targetID: String, type: String?) async throws -> [Relationship] {
        state.withLock { s in
            (s.incoming[targetID] ?? []).filter { type == nil || $0.type == type }.sorted { ($0.type, $0.sourceID) < ($1.type, $1.sourceID) }
        }
    }

    // MARK: CursorStore

    public func cursor(named name: String) async throws -> Int64? {
        state.withLock { $0.cursors[name] }
    }

    public func saveCursor(named name: String, ordinal: Int64) async throws {
        state.withLock { $0.cursors[name] = ordinal }
    }
}

extension InMemoryStore: SyncRecordStore {
    public func putSyncRecord(kind: String, key: String, value: String) async throws {
        state.withLock { $0.syncRecords[kind, default: [:]][key] = value }
    }

    public func insertSyncRecordIfAbsent(kind: String, key: String, value: String) async throws -> String {
        state.withLock { s in
            if let existing = s.syncRecords[kind]?[key] { return existing }
            s.syncRecords[kind, default: [:]][key] = value
            return value
        }
    }

    public func syncRecord(kind: String, key: String) async throws -> String? {
        state.withLock { $0.syncRecords[kind]?[key] }
    }

    public func syncRecords(kind: String, after: String?, limit: Int) async throws -> [SyncRecord] {
        state.withLock { s in
            let all = s.syncRecords[kind] ?? [:]
            return all.keys.filter { after == nil || $0 > after! }.sorted().prefix(max(0, limit)).map { SyncRecord(key: $0, value: all[$0]!) }
        }
    }

    public func deleteSyncRecords(kind: String, key: String?) async throws -> Int {
        state.withLock { s in
            guard let key else { return s.syncRecords.removeValue(forKey: kind)?.count ?? 0 }
            return s.syncRecords[kind]?.removeValue(forKey: key) == nil ? 0 : 1
        }
    }
}


// MARK: DocumentLoadStore, DocumentGraphStore

extension InMemoryStore {
    /// The stored parts of document `id` on `branch`, read under one lock (one version of the document).
    public func loadDocument(id: String, branch: String) async throws -> StoredDocument? {
        state.withLock { s in
            guard let header = s.headers[id] else { return nil }
            let home = header.branch
            func load(_ stream: StreamID) -> StoredStream {
                let ops = s.streams[stream]?.operations ?? []
                guard !ops.isEmpty else { return StoredStream(stream: stream, revision: 0, keyframe: nil, operations: [], last: nil) }
                let keyframe = (s.keyframes[stream] ?? []).filter { $0.index <= ops.count - 1 }.max { $0.index < $1.index }
                let from = (keyframe?.index ?? -1) + 1
                return StoredStream(stream: stream, revision: ops.count, keyframe: keyframe, operations: Array(ops[from...]), last: ops.last)
            }
            var revisions: [String: Int] = [:]
            var streams: [String: StoredStream] = [:]
            for (stream, log) in s.streams where stream.documentID == id && stream.branch == branch && !log.operations.isEmpty {
                revisions[stream.scope] = log.operations.count
                if stream.scope != Scope.document { streams[stream.scope] = load(stream) }
            }
            let system = StreamID(documentID: id, scope: Scope.document, branch: home)
            streams[Scope.document] = load(system)
            var initialStates: [String: Keyframe] = [:]
            for (stream, frames) in s.keyframes where stream.documentID == id && (stream.branch == branch || stream.branch == home) {
                guard let initial = frames.last(where: { $0.index == -1 }) else { continue }
                if stream.branch != branch, initialStates[stream.scope] != nil { continue }
                initialStates[stream.scope] = initial
            }
            return StoredDocument(header: header, revisions: revisions, streams: streams, initialStates: initialStates)
        }
    }

    /// Ids of the live targets of `id`'s `child` relationships, in id order.
    public func children(of id: String) async throws -> [String] {
        state.withLock { s in
            (s.outgoing[id] ?? []).filter { $0.type == Relationship.child && Self.isLive($0.targetID, in: s) }.map(\.targetID).sorted()
        }
    }

    /// Every live ancestor of `id`, nearest first (see ``DocumentGraphStore/ancestors(of:)``).
    public func ancestors(of id: String) async throws -> [String] {
        state.withLock { s in
            var parents: [String: [String]] = [:]
            var pending = [id]
            while let doc = pending.popLast() {
                guard parents[doc] == nil else { continue }
                let live = Self.liveParents(of: doc, in: s)
                parents[doc] = live
                pending += live
            }
            return DocumentGraph.breadthFirstAncestors(of: id, parents: parents)
        }
    }

    /// One page of the live documents (of `documentType`, if given) that are no live document's child, in creation
    /// order; the cursor is the creation sequence number.
    public func orphans(documentType: String?, page: PageRequest) async throws -> Page<String> {
        let limit = try page.validatedLimit()
        let after = try page.decodedCursor() ?? 0
        return state.withLock { s in
            var items: [String] = []
            var lastSeq: Int64 = 0
            for (seq, id) in s.headersInOrder where seq > after {
                guard let header = s.headers[id], !header.isDeleted else { continue }
                if let documentType, header.documentType != documentType { continue }
                guard Self.liveParents(of: id, in: s).isEmpty else { continue }
                if items.count == limit { return Page(items: items, nextCursor: Page<String>.cursor(after: lastSeq)) }
                items.append(id)
                lastSeq = seq
            }
            return Page(items: items, nextCursor: nil)
        }
    }

    private static func isLive(_ id: String, in s: State) -> Bool {
        s.headers[id].map { !$0.isDeleted } ?? false
    }

    private static func liveParents(of id: String, in s: State) -> [String] {
        (s.incoming[id] ?? []).filter { $0.type == Relationship.child && isLive($0.sourceID, in: s) }.map(\.sourceID).sorted()
    }
}
