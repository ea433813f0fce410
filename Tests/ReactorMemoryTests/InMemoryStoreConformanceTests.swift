import ReactorCore
import ReactorMemory
import ReactorTesting
import Testing

@Suite("InMemoryStore conformance", .timeLimit(.minutes(3)))
struct InMemoryStoreConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        let store = InMemoryStore()
        try await store.migrate()
        try await c.run(store)
    }

    @Test func countingStoreCountsReadsAndCommits() async throws {
        let store = CountingStore(InMemoryStore())
        try await store.migrate()
        let stream = StreamID(documentID: "a", scope: Scope.global)
        let ops = (0..<5).map { i in
            ReactorCore.Operation(id: "op-\(i)", index: i, timestamp: 1, hash: "h", action: Action(id: "act-\(i)", type: "SET", timestamp: 1))
        }
        let header = DocumentHeader(id: "a", documentType: "t", createdAt: 1, lastModifiedAt: 1)
        _ = try await store.commit(Commit(header: header, createsDocument: true, appends: [StreamAppend(stream: stream, expectedRevision: 0, operations: ops)]))
        #expect(store.commits == 1)
        #expect(try await store.operations(in: stream, fromIndex: 1, limit: 3).count == 3)
        #expect(store.operationsRead == 3)
        _ = try await store.latestKeyframe(of: stream, atOrBefore: nil)
        #expect(store.keyframeReads == 1)
        store.resetCounts()
        #expect(store.commits == 0 && store.operationsRead == 0 && store.keyframeReads == 0)
    }
}
