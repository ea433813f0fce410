import ReactorCore
import ReactorSQLite
import ReactorTesting
import Testing

@Suite("SQLiteStore conformance", .timeLimit(.minutes(3)))
struct SQLiteStoreConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("nested/dirs/store.sqlite"))
        try await store.migrate()
        do {
            try await c.run(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    /// Sync records, the reactor id and operation origins survive closing and reopening the file.
    @Test func syncStateSurvivesReopening() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("store.sqlite")
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        let sync = SyncStore(store)
        let reactorID = try await sync.reactorID()
        let remote = SyncRemote(name: "alpha", channel: SyncChannelConfig(url: "https://alpha.example"), channelID: "c-1", createdAt: 1)
        try await sync.saveRemote(remote)
        try await sync.saveCursor(.remote("alpha"), .pull, 17)
        let keys = ["b/ü", "a/🌍", "a"]
        for key in keys { try await store.putSyncRecord(kind: "kind/ä", key: key, value: "value of \(key)") }
        let stream = StreamID(documentID: "doc", scope: Scope.global)
        let operation = ReactorCore.Operation(
            id: OperationID.make(stream: stream, actionID: "a-1"), index: 0, timestamp: 1, hash: "h",
            action: Action(id: "a-1", type: "SET", scope: Scope.global, timestamp: 1))
        let header = DocumentHeader(id: "doc", documentType: "t", createdAt: 1, lastModifiedAt: 1)
        _ = try await store.commit(Commit(
            header: header, createsDocument: true, appends: [StreamAppend(stream: stream, expectedRevision: 0, operations: [operation])],
            origin: "peer-1"))
        try await store.close()

        let reopened = try SQLiteStore(path: path)
        try await reopened.migrate()
        let again = SyncStore(reopened)
        #expect(try await again.reactorID() == reactorID)
        #expect(try await again.remotes() == [remote])
        #expect(try await again.cursor(.remote("alpha"), .pull) == 17)
        let records = try await reopened.syncRecords(kind: "kind/ä", after: nil, limit: 10)
        #expect(records == ["a", "a/🌍", "b/ü"].map { SyncRecord(key: $0, value: "value of \($0)") })
        #expect(try await reopened.operations(afterOrdinal: 0, limit: 10).map(\.origin) == ["peer-1"])
        try await reopened.close()
    }

    @Test(arguments: StoreConformance.cases.filter { $0.name.hasPrefix("race") || $0.name.contains("atomic") })
    func conformanceWithFullDurability(_ c: ConformanceCase) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("store.sqlite"), configuration: .init(durability: .full))
        try await store.migrate()
        try await c.run(store)
        try await store.close()
    }
}
