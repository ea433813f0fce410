import ReactorCore
import ReactorEngine
import ReactorModels
import Testing

/// The README's API tour, run as a test (on the in-memory store) so that it stays true.
@Suite(.timeLimit(.minutes(3))) struct ReadmeExampleTests {
    @Test func apiTour() async throws {
        try await ReactorBuilder()
            .withDocumentModels(BuiltInModels.all)
            .withExecutorConfig(ExecutorConfig(maxConcurrency: 4, jobTimeout: .seconds(30)))
            .withReactor { module in
                let client = ReactorClient(reactor: module.reactor, signer: Ed25519Signer())
                let list = try await client.createEmpty(TodoList.documentType, slug: "groceries")
                let after = try await client.execute("groceries", actions: [
                    TodoList.addTodo(id: "1", text: "milk"),
                    TodoList.toggleTodo(id: "1"),
                ])
                #expect(try TodoList.model.state(of: after).items == [TodoList.Item(id: "1", text: "milk", done: true)])
                let job = try await module.reactor.execute(list.id, actions: [Action(type: BaseAction.undo)])
                let done = try await module.reactor.waitForJob(job.id)
                let undone = try await module.reactor.get(list.id, consistencyToken: done.consistencyToken)
                #expect(undone.header.revision == ["document": 1, "global": 3])
                #expect(try TodoList.model.state(of: undone).items.first?.done == false)
            }
    }

    @Test func customModel() async throws {
        struct Counter: Codable, Sendable { var value = 0 }
        struct Amount: Codable, Sendable { var amount: Int }
        let counter = TypedDocumentModel(documentType: "example/counter", initialState: Counter())
            .on("ADD", input: Amount.self) { state, input, _ in state.value += input.amount }
        try await ReactorBuilder().withDocumentModels([counter]).withReactor { module in
            let client = ReactorClient(reactor: module.reactor)
            let doc = try await client.createEmpty("example/counter")
            let after = try await client.execute(doc.id, actions: [Action(type: "ADD", input: ["amount": 5])])
            #expect(try counter.state(of: after).value == 5)
        }
    }
}
