import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorTesting
import Testing

/// A typed model's state is kept decoded between actions and jobs (``NativeState``): the operations it writes (hashes,
/// reducer errors, states) must be exactly those of the JSON path, also across a cold load that starts from JSON.
@Suite(.timeLimit(.minutes(3)))
struct NativeStateTests {
    /// The to-do list model without its native representation: every action decodes, reduces and encodes JSON.
    struct JSONOnly: DocumentModel {
        let model: any DocumentModel
        var documentType: String { model.documentType }
        var version: Int { model.version }
        var scopes: [String] { model.scopes }
        func initialState(scope: String) -> JSONValue { model.initialState(scope: scope) }
        func validate(_ action: Action) throws { try model.validate(action) }
        func reduce(state: JSONValue, action: Action) throws -> JSONValue { try model.reduce(state: state, action: action) }
        func reduceValidated(state: JSONValue, action: Action) throws -> Result<JSONValue, any Error> {
            try model.reduceValidated(state: state, action: action)
        }
    }

    /// Random jobs of to-do actions, some of which fail in the reducer (an unknown item) and some of which are refused
    /// (malformed input).
    static func jobs(seed: UInt64, count: Int) -> [[Action]] {
        var g = SplitMix64(seed: seed)
        var next = 0
        return (0..<count).map { _ in
            (0..<Int.random(in: 1...4, using: &g)).map { _ in
                let id = "t\(Int.random(in: 0..<max(1, next + 2), using: &g))"
                switch Int.random(in: 0..<10, using: &g) {
                case 0...3:
                    next += 1
                    return TodoList.addTodo(id: "t\(next)", text: "item \(next) \"quoted\" ✓")
                case 4, 5: return TodoList.toggleTodo(id: id)
                case 6: return TodoList.updateTodo(id: id, text: "renamed \(next)")
                case 7: return TodoList.deleteTodo(id: id)
                case 8: return TodoList.setTitle("title \(next)")
                default: return Action(type: "TOGGLE_TODO", input: ["id": .number(7)])  // refused: the id must be a string
                }
            }
        }
    }

    /// Runs `jobs` on a new to-do list; with `reopenEvery`, the store is closed and opened again (a cold load from
    /// JSON) every that many jobs. Returns the operations of the global scope and the final state.
    static func run(
        _ jobs: [[Action]], model: any DocumentModel, kind: StoreKind, reopenEvery: Int? = nil
    ) async throws -> (operations: [OperationRecord], state: JSONValue?) {
        var store = try kind.makeStore()
        var done = 0
        var first = true
        while done < jobs.count || first {
            let end = min(jobs.count, done + (reopenEvery ?? jobs.count))
            let slice = jobs[done..<end]
            let isFirst = first
            try await ReactorBuilder().withDocumentModels([model]).withStore(store).withReactor { module in
                let reactor = module.reactor
                if isFirst {
                    _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "list", documentType: TodoList.documentType)).id)
                }
                for actions in slice {
                    do {
                        _ = try await reactor.waitForJob(try await reactor.execute("list", actions: actions).id)
                    } catch let error as ReactorError where error.code == .invalidInput {
                        // A refused job writes nothing, on both paths.
                    }
                }
            }
            first = false
            done = end
            store = try await kind.reopen(store)
        }
        return try await ReactorBuilder().withDocumentModels([model]).withStore(store).withReactor { module in
            let reactor = module.reactor
            let page = try await reactor.operations(OperationQuery(documentID: "list", scopes: [Scope.global]), page: PageRequest(limit: 1_000))
            return (page.items, try await reactor.get("list").state[Scope.global])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func nativeAndJSONReductionsWriteTheSameOperations(_ kind: StoreKind) async throws {
        let jobs = Self.jobs(seed: 2026, count: 60)
        let native = try await Self.run(jobs, model: TodoList.model, kind: kind)
        let json = try await Self.run(jobs, model: JSONOnly(model: TodoList.model), kind: kind)
        let coldLoads = try await Self.run(jobs, model: TodoList.model, kind: kind, reopenEvery: 7)
        #expect(native.operations.count > 60)
        #expect(native.operations.contains { $0.operation.error != nil })
        for other in [json, coldLoads] {
            #expect(other.state == native.state)
            #expect(other.operations.map(\.operation.hash) == native.operations.map(\.operation.hash))
            #expect(other.operations.map(\.operation.error) == native.operations.map(\.operation.error))
            #expect(other.operations.map(\.operation.action.type) == native.operations.map(\.operation.action.type))
        }
        // Every stored hash is the hash of the state it follows: recomputed from JSON on a fold of the operations.
        var state = TodoList.model.initialState(scope: Scope.global)
        for record in native.operations where record.operation.error == nil {
            state = try TodoList.model.reduce(state: state, action: record.operation.action)
            #expect(record.operation.hash == StateHash.of(state))
        }
        #expect(state == native.state)
    }
}
