import PostgresNIO
import ReactorCore
import ReactorPostgres
import ReactorTesting
import Synchronization

/// Stores on the shared test server (``PostgresTestServer``), each suite or case in a fresh schema that is dropped
/// afterwards.
enum PostgresTestSupport {
    /// Settings for a fresh schema on the shared server.
    static func configuration(_ prefix: String, poolSize: Int = 4) async throws -> PostgresStoreConfiguration {
        let url = try await PostgresTestServer.shared()
        return try PostgresStoreConfiguration(url: url, schema: PostgresTestServer.uniqueName(prefix), poolSize: poolSize)
    }

    /// Runs `body` with a migrated store in a fresh schema, then drops the schema.
    @discardableResult
    static func withStore<T>(_ prefix: String, poolSize: Int = 4, _ body: (PostgresStore) async throws -> T) async throws -> T {
        let configuration = try await configuration(prefix, poolSize: poolSize)
        return try await withStores(configuration, count: 1) { try await body($0[0]) }
    }

    /// Runs `body` with `count` migrated stores (separate pools, like separate nodes) on one schema, then drops it.
    @discardableResult
    static func withStores<T>(
        _ configuration: PostgresStoreConfiguration, count: Int, migrate: Bool = true, _ body: ([PostgresStore]) async throws -> T
    ) async throws -> T {
        let stores = try (0..<count).map { _ in try PostgresStore(configuration: configuration) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.run() } }
            defer { group.cancelAll() }
            do {
                if migrate { for store in stores { try await store.migrate() } }
                let result = try await body(stores)
                try await dropSchema(configuration.schema, using: stores[0])
                return result
            } catch {
                try? await dropSchema(configuration.schema, using: stores[0])
                throw error
            }
        }
    }

    static func dropSchema(_ schema: String, using store: PostgresStore) async throws {
        try await store.client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE"))
    }
}

/// Two nodes behind one ``ReactorStore``: calls alternate between two stores on one schema, so racing commits of a
/// conformance case run on different nodes (different pools, different writer loops).
final class TwoNodeStore: ForwardingStore, @unchecked Sendable {
    let nodes: [PostgresStore]
    private let turn = Atomic<Int>(0)

    init(_ a: PostgresStore, _ b: PostgresStore) {
        nodes = [a, b]
        super.init(a)
    }

    fileprivate var next: PostgresStore { nodes[turn.add(1, ordering: .relaxed).oldValue % 2] }

    override func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] { await next.commit(commits) }
    override func operations(in stream: StreamID, fromIndex: Int, limit: Int?) async throws -> [ReactorCore.Operation] {
        try await next.operations(in: stream, fromIndex: fromIndex, limit: limit)
    }
    override func revisions(documentID: String, branch: String) async throws -> [String: Int] {
        try await next.revisions(documentID: documentID, branch: branch)
    }
    override func operations(afterOrdinal ordinal: Int64, limit: Int) async throws -> [OperationRecord] {
        try await next.operations(afterOrdinal: ordinal, limit: limit)
    }
    override func header(id: String) async throws -> DocumentHeader? { try await next.header(id: id) }
    override func findHeaders(matching query: DocumentQuery, page: PageRequest) async throws -> Page<DocumentHeader> {
        try await next.findHeaders(matching: query, page: page)
    }

    // Sync records alternate between the two nodes too.
    override func putSyncRecord(kind: String, key: String, value: String) async throws {
        try await next.putSyncRecord(kind: kind, key: key, value: value)
    }
    override func insertSyncRecordIfAbsent(kind: String, key: String, value: String) async throws -> String {
        try await next.insertSyncRecordIfAbsent(kind: kind, key: key, value: value)
    }
    override func syncRecord(kind: String, key: String) async throws -> String? { try await next.syncRecord(kind: kind, key: key) }
    override func syncRecords(kind: String, after: String?, limit: Int) async throws -> [SyncRecord] {
        try await next.syncRecords(kind: kind, after: after, limit: limit)
    }
    override func deleteSyncRecords(kind: String, key: String?) async throws -> Int { try await next.deleteSyncRecords(kind: kind, key: key) }
}
