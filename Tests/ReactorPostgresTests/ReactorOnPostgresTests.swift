import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorPostgres
import ReactorTesting
import Testing

/// A reactor on ``PostgresStore``: writes through the engine, and a second reactor (another store, same schema) loads
/// what the first wrote.
@Suite("Reactor on PostgresStore", .timeLimit(.minutes(10)))
struct ReactorOnPostgresTests {
    @Test func secondReactorLoadsWhatTheFirstWrote() async throws {
        let configuration = try await PostgresTestSupport.configuration("reactor")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let (id, written) = try await ReactorBuilder()
                .withDocumentModels(BuiltInModels.all)
                .withStore(stores[0])
                .withKeyframeConfig(KeyframeConfig(interval: 3))
                .withReactor { module in
                    let client = ReactorClient(reactor: module.reactor)
                    let list = try await client.createEmpty(TodoList.documentType, slug: "groceries", name: "Groceries")
                    _ = try await client.execute(list.id, actions: [
                        TodoList.addTodo(id: "1", text: "milk"),
                        TodoList.addTodo(id: "2", text: "bread ✓"),
                        TodoList.toggleTodo(id: "1"),
                    ])
                    let after = try await client.execute("groceries", actions: [TodoList.setTitle("Weekend"), TodoList.deleteTodo(id: "2")])
                    return (list.id, after)
                }
            #expect(try TodoList.model.state(of: written).items == [TodoList.Item(id: "1", text: "milk", done: true)])

            try await ReactorBuilder()
                .withDocumentModels(BuiltInModels.all)
                .withStore(stores[1])
                .withReactor { module in
                    let client = ReactorClient(reactor: module.reactor)
                    let loaded = try await client.get("groceries")
                    #expect(loaded.id == id)
                    #expect(loaded.header == written.header)
                    #expect(loaded.state == written.state)
                    #expect(try TodoList.model.state(of: loaded).title == "Weekend")
                    // The second node writes too, continuing the same streams.
                    let more = try await client.execute(id, actions: [TodoList.addTodo(id: "3", text: "eggs")])
                    #expect(try TodoList.model.state(of: more).items.map(\.id) == ["1", "3"])
                }
            let feed = try await stores[0].operations(afterOrdinal: 0, limit: 1_000)
            #expect(feed.count >= 7)
            #expect(zip(feed, feed.dropFirst()).allSatisfy { $0.ordinal < $1.ordinal })
        }
    }

    /// Branches on PostgreSQL: a write on another branch never replaces the stored header, and a second reactor (a
    /// cold load) sees each branch apart.
    @Test func branchesStayApartAcrossReactors() async throws {
        let configuration = try await PostgresTestSupport.configuration("branches")
        try await PostgresTestSupport.withStores(configuration, count: 2) { stores in
            let first = TodoList.addTodo(id: "1", text: "milk")
            try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[0]).withReactor { module in
                let reactor = module.reactor
                try await reactor.waitForJob(try await reactor.create(NewDocument(id: "list", documentType: TodoList.documentType)).id)
                try await reactor.waitForJob(try await reactor.execute("list", actions: [first]).id)
                try await reactor.waitForJob(try await reactor.execute("list", branch: "b2", actions: [TodoList.addTodo(id: "2", text: "eggs")]).id)
                try await reactor.waitForJob(try await reactor.execute("list", actions: [first]).id)
                try await reactor.waitForJob(try await reactor.execute("list", actions: [
                    Action(type: SystemAction.setName, scope: Scope.document, input: ["name": "Food"]),
                ]).id)
            }
            #expect(try await stores[1].header(id: "list")?.branch == Branch.main)
            try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(stores[1]).withReactor { module in
                let main = try await module.reactor.get("list")
                let b2 = try await module.reactor.get("list", branch: "b2")
                #expect(try TodoList.model.state(of: main).items.map(\.id) == ["1"])
                #expect(try TodoList.model.state(of: b2).items.map(\.id) == ["2"])
                #expect(main.header.name == "Food" && b2.header.name == "Food")
                #expect(b2.header.branch == "b2" && main.header.branch == Branch.main)
            }
        }
    }
}
