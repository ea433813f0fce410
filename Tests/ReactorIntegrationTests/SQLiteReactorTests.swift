import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite
import ReactorTesting
import Synchronization
import Testing

final class CountingProcessor: Processor {
    let name = "counting"
    let seen = Mutex<[Int64]>([])
    func process(_ records: [OperationRecord]) async throws { seen.withLock { $0 += records.map(\.ordinal) } }
}

@Suite(.timeLimit(.minutes(10))) struct SQLiteReactorTests {
    /// Reopening the file gives back every document, operation, relationship, slug, ordinal and processor cursor.
    @Test func reopenGivesEverythingBack() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path

        let store = try SQLiteStore(path: path)
        let processor = CountingProcessor()
        let before: [Document] = try await ReactorBuilder.sqlite(store).withProcessor(processor).withReactor { module in
            let client = ReactorClient(reactor: module.reactor)
            let drive = try await client.createEmpty(Drive.documentType, slug: "home", name: "Home")
            _ = try await client.execute("home", actions: [Drive.addFolder(id: "f", name: "Folder")])
            let list = try await client.createDocumentInDrive("home", NewDocument(id: "list", documentType: TodoList.documentType, slug: "todo", name: "Todo"), parentFolder: "f")
            _ = try await client.execute("todo", actions: [TodoList.addTodo(id: "1", text: "héllo ✓"), TodoList.toggleTodo(id: "1"), Action(type: BaseAction.undo)])
            try await eventually("the processor saw every operation") { processor.seen.withLock { $0.count } >= 7 }
            return [try await client.get(drive.id), try await client.get(list.id)]
        }
        let ordinal = try await store.latestOrdinal()
        let cursor = try await store.cursor(named: "counting")
        #expect(cursor == ordinal)
        try await store.close()

        let reopened = try SQLiteStore(path: path)
        try await ReactorBuilder.sqlite(reopened).withReactor { module in
            let reactor = module.reactor
            #expect(try await reactor.get(before[0].id) == before[0])
            #expect(try await reactor.get("list") == before[1])
            #expect(try await reactor.getBySlug("home").id == before[0].id)
            #expect(try await reactor.getBySlug("todo").id == "list")
            #expect(try await reactor.children(of: before[0].id) == ["list"])
            #expect(try await reactor.parents(of: "list") == [before[0].id])
            #expect(try await module.store.latestOrdinal() == ordinal)
            #expect(try await module.store.cursor(named: "counting") == cursor)
            let ops = try await reactor.operations(OperationQuery(documentID: "list", scopes: [Scope.global])).items
            #expect(ops.map(\.operation.action.type) == ["ADD_TODO", "TOGGLE_TODO", "UNDO"])
            // Writes continue where they stopped.
            let info = try await reactor.waitForJob(try await reactor.execute("list", actions: [TodoList.addTodo(id: "2", text: "two")]).id)
            #expect(info.consistencyToken?.coordinates.first?.operationIndex == 3)
            #expect(try await module.store.latestOrdinal() == ordinal + 1)
        }
        try await reopened.close()
    }

    /// Scenario 7: 100,000 operations, keyframes every 1,000: after reopening, `get` returns the same state and hash
    /// and reads at most 1,000 operations.
    @Test(.timeLimit(.minutes(10)))
    func hundredThousandOperationsColdLoad() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.sqlite").path
        let total = 100_000
        let store = try SQLiteStore(path: path)
        let written: Document = try await ReactorBuilder.sqlite(store).withKeyframeConfig(KeyframeConfig(interval: 1_000)).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "big", documentType: TodoList.documentType)).id)
            _ = try await reactor.waitForJob(try await reactor.execute("big", actions: [TodoList.addTodo(id: "x", text: "toggle me")]).id)
            var count = 1
            while count < total {
                let n = min(1_000, total - count)
                let actions = (0..<n).map { i in (count + i) % 2 == 0 ? TodoList.toggleTodo(id: "x") : TodoList.setTitle("title \(count + i)") }
                _ = try await reactor.waitForJob(try await reactor.execute("big", actions: actions).id, timeout: .seconds(600))
                count += n
            }
            return try await reactor.get("big")
        }
        #expect(written.header.revision[Scope.global] == total)
        try await store.close()

        let counting = CountingStore(try SQLiteStore(path: path))
        try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(counting).withKeyframeConfig(KeyframeConfig(interval: 1_000)).withReactor { module in
            counting.resetCounts()
            let cold = try await module.reactor.get("big")
            #expect(cold.state == written.state)
            #expect(cold.hashes == written.hashes)
            #expect(cold.header.revision == written.header.revision)
            #expect(counting.operationsRead <= 1_000)
            // The hash is the stored one: a fresh reduction of the tail agrees with it.
            #expect(cold.hashes[Scope.global] == StateHash.of(cold.state[Scope.global]!))
        }
        try await counting.close()
    }
}
