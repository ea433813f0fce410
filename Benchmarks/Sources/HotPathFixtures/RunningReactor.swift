import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels

/// A reactor on an ``InMemoryStore`` running in a task of its own, with one to-do list document: what the end-to-end
/// benchmark submits jobs to. Started in a benchmark's `setup`, stopped in its `teardown`.
public final class RunningReactor: Sendable {
    /// The reactor.
    public let reactor: Reactor
    /// The id of the to-do list document.
    public let documentID: String
    private let run: Task<Void, any Error>

    private init(reactor: Reactor, documentID: String, run: Task<Void, any Error>) {
        self.reactor = reactor
        self.documentID = documentID
        self.run = run
    }

    /// Builds and starts a reactor with the built-in models and creates a to-do list of `items` items (given as its
    /// initial state), waiting until the create job is `READ_READY`.
    public static func start(items: Int) async throws -> RunningReactor {
        let reactor = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(InMemoryStore()).build()
        let run = Task { try await reactor.run() }
        let initial = try JSONValueCoder.encode(HotPathFixtures.todoList(items: items))
        let documentID = "list"
        let created = try await reactor.waitForJob(try await reactor.create(NewDocument(
            id: documentID, documentType: TodoList.documentType, initialState: [Scope.global: initial])).id)
        guard created.status == .readReady else { throw ReactorError(.internal, "the to-do list was not created") }
        return RunningReactor(reactor: reactor, documentID: documentID, run: run)
    }

    /// Submits one job of `actions` and waits until it is `READ_READY`; a job that ends otherwise throws.
    public func submit(_ actions: [Action]) async throws {
        let info = try await reactor.waitForJob(try await reactor.execute(documentID, actions: actions).id)
        guard info.status == .readReady else { throw ReactorError(.internal, "a benchmark job ended \(info.status)") }
    }

    /// Kills the reactor, waits until its jobs are done and its run task has returned.
    public func stop() async throws {
        await reactor.kill().completed()
        try await run.value
    }
}
