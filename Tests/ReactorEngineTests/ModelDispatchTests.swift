import ReactorCore
import ReactorEngine
import Synchronization
import Testing

/// A model that counts which entry points the engine calls.
final class CountingModel: DocumentModel {
    let documentType = "test/counting"
    let version = 1
    let calls = Mutex((validate: 0, reduce: 0, reduceValidated: 0))

    func initialState(scope: String) -> JSONValue { ["n": 0] }
    func validate(_ action: Action) throws { calls.withLock { $0.validate += 1 } }
    func reduce(state: JSONValue, action: Action) throws -> JSONValue {
        calls.withLock { $0.reduce += 1 }
        return ["n": .number(Double((state["n"]?.intValue ?? 0) + 1))]
    }
    func reduceValidated(state: JSONValue, action: Action) throws -> Result<JSONValue, any Error> {
        calls.withLock { $0.reduceValidated += 1 }
        return .success(["n": .number(Double((state["n"]?.intValue ?? 0) + 1))])
    }
}

@Suite(.timeLimit(.minutes(3))) struct ModelDispatchTests {
    @Test func engineUsesTheModelsOwnReduceValidated() async throws {
        let model = CountingModel()
        try await ReactorBuilder().withDocumentModels([model]).withReactor { module in
            let job = try await module.reactor.create(NewDocument(id: "m", documentType: model.documentType))
            _ = try await module.reactor.waitForJob(job.id)
            _ = try await module.reactor.waitForJob(try await module.reactor.execute("m", actions: [Action(type: "X"), Action(type: "Y")]).id)
            #expect(try await module.reactor.get("m").state[Scope.global]?["n"] == 2)
        }
        let calls = model.calls.withLock { $0 }
        #expect(calls.reduceValidated == 2)
        #expect(calls.validate == 0)
        #expect(calls.reduce == 0)
    }
}
