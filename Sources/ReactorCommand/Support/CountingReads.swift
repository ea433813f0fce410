import ReactorCore
import Synchronization

/// A store decorator that counts the operations read per stream (for the cold-load benchmark).
final class CountingReads: ReactorStore {
    let base: any ReactorStore
    private let count = Mutex(0)

    init(base: any ReactorStore) { self.base = base }

    var operationsRead: Int { count.withLock { $0 } }

    func migrate() async throws { try await base.migrate() }
    func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] { await base.commit(commits) }
    func close() async throws { try await base.close() }
    func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [Operation] {
        let ops = try await base.operations(in: stream, fromIndex: fromIndex, limit: limit)
        count.withLock { $0 += ops.count }
        return ops
    }
    func revisions(documentID: String, branch: String) async throws -> [String: Int] { try await base.revisions(documentID: documentID, branch: branch) }
    func operations(matching query: OperationQuery, page: PageRequest) async throws -> Page<OperationRecord> { try await base.operations(matching: query, page: page) }
    func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord] { try await base.operations(afterOrdinal: ordinal, limit: limit) }
    func latestOrdinal() async throws -> Int64 { try await base.latestOrdinal() }
    func existingOperationIDs(_ ids: [String]) async throws -> Set<String> { try await base.existingOperationIDs(ids) }
    func latestKeyframe(of stream: StreamID, atOrBefore index: Int?) async throws -> Keyframe? { try await base.latestKeyframe(of: stream, atOrBefore: index) }
    func header(id: String) async throws -> DocumentHeader? { try await base.header(id: id) }
    func documentID(forSlug slug: String) async throws -> String? { try await base.documentID(forSlug: slug) }
    func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader> { try await base.findHeaders(matching: query, page: page) }
    func relationships(from sourceID: String, type: String?) async throws -> [Relationship] { try await base.relationships(from: sourceID, type: type) }
    func relationships(to targetID: String, type: String?) async throws -> [Relationship] { try await base.relationships(to: targetID, type: type) }
    func cursor(named name: String) async throws -> Int64? { try await base.cursor(named: name) }
    func saveCursor(named name: String, ordinal: Int64) async throws { try await base.saveCursor(named: name, ordinal: ordinal) }
}
