import ReactorCore
import ReactorEngine
import ReactorModels
import Testing

/// Documents with large states: created, changed, reloaded cold and hashed like small ones.
@Suite(.timeLimit(.minutes(3)))
struct LargeStateTests {
    @Test(arguments: StoreKind.allCases)
    func aLargeStateSurvivesWritesAndAColdLoad(_ kind: StoreKind) async throws {
        let store = try kind.makeStore()
        let items: [JSONValue] = (0..<5_000).map { i in
            ["id": .string("t\(i)"), "text": .string("item \(i) — ünïcode ✓ \(String(repeating: "x", count: 40))"), "done": .bool(i % 3 == 0)]
        }
        let initial: JSONValue = ["title": "big", "items": .array(items)]
        let written = try await ReactorBuilder.testing().withStore(store).withReactor { module in
            let reactor = module.reactor
            try await reactor.waitForJob(try await reactor.create(NewDocument(
                id: "big", documentType: TodoList.documentType, initialState: [Scope.global: initial])).id)
            try await reactor.waitForJob(try await reactor.execute("big", actions: [
                TodoList.addTodo(id: "new", text: "one more"), TodoList.toggleTodo(id: "t1"), TodoList.deleteTodo(id: "t2"),
            ]).id)
            return try await reactor.get("big")
        }
        let state = try TodoList.model.state(of: written)
        #expect(state.items.count == 5_000)
        #expect(state.items.last?.id == "new")
        #expect(state.items.first { $0.id == "t1" }?.done == true)
        #expect(written.hashes[Scope.global] == StateHash.of(try #require(written.state[Scope.global])))

        let reopened = try await kind.reopen(store)
        try await ReactorBuilder.testing().withStore(reopened).withReactor { module in
            let loaded = try await module.reactor.get("big")
            #expect(loaded.state == written.state)
            #expect(loaded.hashes == written.hashes)
            // A state past the parser's nesting limit is refused as input, not stored.
            let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
            #expect(throws: ReactorError.self) { try JSONValueCoder.parse(deep) }
        }
    }
}
