import ReactorCore
import ReactorEngine
import ReactorModels
import Testing

/// Branches are real: each has its own header view and revisions, nothing written on one changes another, and that
/// holds after a restart (the cold load rebuilds every branch from the store).
@Suite(.timeLimit(.minutes(2)))
struct BranchTests {
    static func items(_ document: Document) throws -> [String] {
        try TodoList.model.state(of: document).items.map(\.id)
    }

    static func setName(_ name: String) -> Action {
        Action(type: SystemAction.setName, scope: Scope.document, input: ["name": .string(name)])
    }

    /// What must hold on both branches, before and after a restart.
    static func expectBranchesApart(_ reactor: Reactor, store: any ReactorStore, name: String, mainItems: [String]) async throws {
        let main = try await reactor.get("list")
        #expect(try items(main) == mainItems)
        #expect(main.header.branch == Branch.main)
        #expect(main.header.name == name)
        #expect(main.header.revision[Scope.global] == mainItems.count)

        let b2 = try await reactor.get("list", branch: "b2")
        #expect(try items(b2) == ["2"])
        #expect(b2.header.branch == "b2")
        #expect(b2.header.name == name, "the document scope (name, slug …) is the document's on every branch")
        #expect(b2.header.revision[Scope.global] == 1)
        #expect(b2.header.revision[Scope.document] == main.header.revision[Scope.document])

        // The stored header stays the home branch's: a write on b2 never replaces it.
        let stored = try #require(try await store.header(id: "list"))
        #expect(stored.branch == Branch.main)
        #expect(stored.revision[Scope.global] == mainItems.count)
    }

    @Test(arguments: StoreKind.allCases)
    func aBranchNeverChangesAnother(_ kind: StoreKind) async throws {
        let store = try kind.makeStore()
        let first = TodoList.addTodo(id: "1", text: "milk")
        try await ReactorBuilder.testing().withStore(store).withReactor { module in
            let reactor = module.reactor
            try await reactor.waitForJob(try await reactor.create(NewDocument(id: "list", documentType: TodoList.documentType, name: "Groceries")).id)
            try await reactor.waitForJob(try await reactor.execute("list", actions: [first]).id)
            try await reactor.waitForJob(try await reactor.execute("list", branch: "b2", actions: [TodoList.addTodo(id: "2", text: "eggs")]).id)
            // The first request again (re-delivery is recognised on main), then a system action on main.
            try await reactor.waitForJob(try await reactor.execute("list", actions: [first]).id)
            try await reactor.waitForJob(try await reactor.execute("list", actions: [Self.setName("Food")]).id)
            try await Self.expectBranchesApart(reactor, store: store, name: "Food", mainItems: ["1"])

            // The document scope belongs to the home branch: a system action on b2 is refused, nothing changes.
            let refused = try await reactor.execute("list", branch: "b2", actions: [Self.setName("Other")])
            let info = try await module.jobTracker.wait(for: refused.id, timeout: .seconds(10))
            #expect(info.error?.code == .invalidInput)
            #expect(info.error?.details["path"] == "branch")
        }

        // After a restart every branch loads from the store alone.
        let reopened = try await kind.reopen(store)
        try await ReactorBuilder.testing().withStore(reopened).withReactor { module in
            let reactor = module.reactor
            try await Self.expectBranchesApart(reactor, store: reopened, name: "Food", mainItems: ["1"])
            try await reactor.waitForJob(try await reactor.execute("list", actions: [first]).id)
            try await reactor.waitForJob(try await reactor.execute("list", actions: [Self.setName("Meals"), TodoList.addTodo(id: "3", text: "jam")]).id)
            try await Self.expectBranchesApart(reactor, store: reopened, name: "Meals", mainItems: ["1", "3"])
            // A rename on main shows on b2's cached view too.
            #expect(try await reactor.get("list", branch: "b2").header.name == "Meals")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aNewBranchStartsFromTheInitialStateGivenAtCreation(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let initial: JSONValue = ["title": "Shopping", "items": [["id": "0", "text": "bread", "done": false]]]
            try await reactor.waitForJob(try await reactor.create(NewDocument(
                id: "list", documentType: TodoList.documentType, initialState: [Scope.global: initial])).id)
            try await reactor.waitForJob(try await reactor.execute("list", actions: [TodoList.addTodo(id: "1", text: "milk")]).id)
            let fresh = try await reactor.get("list", branch: "feature/x")
            #expect(try Self.items(fresh) == ["0"])
            try await reactor.waitForJob(try await reactor.execute("list", branch: "feature/x", actions: [TodoList.addTodo(id: "2", text: "tea")]).id)
            module.writeCache.removeAll()
            #expect(try Self.items(try await reactor.get("list", branch: "feature/x")) == ["0", "2"])
            #expect(try Self.items(try await reactor.get("list")) == ["0", "1"])
            // Deleting the document deletes it on every branch.
            try await reactor.waitForJob(try await reactor.deleteDocument("list").id)
            let deleted = try await reactor.execute("list", branch: "feature/x", actions: [TodoList.addTodo(id: "4", text: "x")])
            #expect(try await module.jobTracker.wait(for: deleted.id, timeout: .seconds(10)).error?.code == .documentDeleted)
        }
    }
}
