import Foundation
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorSQLite
import Synchronization
import Testing

/// A counter model for engine tests: `ADD {amount}`, `FAIL` (reducer throws), `HANG {gate}` (blocks its thread until
/// the test opens the ``ReducerGate`` named `gate`).
enum Counter {
    static let documentType = "test/counter"
    struct State: Codable, Sendable, Equatable { var value: Int }
    struct Amount: Codable, Sendable { var amount: Int }
    struct Gate: Codable, Sendable { var gate: String }

    static let model = TypedDocumentModel(documentType: documentType, initialState: State(value: 0))
        .on("ADD", input: Amount.self) { state, input, _ in state.value += input.amount }
        .on("FAIL") { _, _ in throw ModelError("this action always fails") }
        .on("HANG", input: Gate.self) { state, input, _ in
            ReducerGate.named(input.gate).block()
            state.value += 1000
        }

    static func add(_ amount: Int, id: String = UUID().uuidString) -> Action {
        Action(id: id, type: "ADD", input: ["amount": .number(Double(amount))])
    }

    static func value(_ document: Document) -> Int? {
        document.state[Scope.global]?["value"]?.intValue
    }
}

/// A reducer that does not return until the test says so: it blocks its thread (as a reducer stuck in a loop or a
/// blocking call would), which only the engine's model threads may suffer.
final class ReducerGate: Sendable {
    private static let gates = NamedInstances { ReducerGate() }
    private let semaphore = DispatchSemaphore(value: 0)
    private let counts = Mutex((blocked: 0, returned: 0))

    static func named(_ name: String) -> ReducerGate { gates.named(name) }

    func block() {
        counts.withLock { $0.blocked += 1 }
        semaphore.wait()
        semaphore.signal()  // let the next blocked reducer through too
        counts.withLock { $0.returned += 1 }
    }

    func open() { semaphore.signal() }
    var blocked: Int { counts.withLock { $0.blocked } }
    var returned: Int { counts.withLock { $0.returned } }
}

/// Objects shared by name across tasks and tests (a gate, a probe), made on first use.
final class NamedInstances<T: Sendable>: Sendable {
    private let instances = Mutex<[String: T]>([:])
    private let make: @Sendable () -> T

    init(_ make: @escaping @Sendable () -> T) { self.make = make }

    func named(_ name: String) -> T {
        instances.withLock { instances in
            if let instance = instances[name] { return instance }
            let instance = make()
            instances[name] = instance
            return instance
        }
    }
}

/// Where the SQLite scenarios keep their files: one directory per test process, removed when the process exits.
let engineTestDirectory: URL = {
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("reactor-engine-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: engineTestDirectory) }
    return dir
}()

/// The stores engine scenarios run on: every scenario runs on the in-memory store and on a real SQLite file.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite

    var testDescription: String { rawValue }

    /// A new, empty store (a fresh file for SQLite).
    func makeStore() throws -> any ReactorStore {
        switch self {
        case .memory: return InMemoryStore()
        case .sqlite:
            return try SQLiteStore(path: engineTestDirectory.appendingPathComponent("\(UUID().uuidString).sqlite").path)
        }
    }

    /// The same data after a restart: the same instance in memory, the file closed and opened again for SQLite.
    func reopen(_ store: any ReactorStore) async throws -> any ReactorStore {
        guard let sqlite = store as? SQLiteStore else { return store }
        try await sqlite.close()
        return try SQLiteStore(path: sqlite.path)
    }
}

extension ReactorBuilder {
    /// A builder with the test counter and the built-in models, on the in-memory store.
    static func testing() -> ReactorBuilder {
        ReactorBuilder().withDocumentModels([Counter.model] + BuiltInModels.all)
    }

    /// A builder with the test counter and the built-in models, on a new store of `kind`.
    static func testing(_ kind: StoreKind) throws -> ReactorBuilder {
        testing().withStore(try kind.makeStore())
    }
}

extension Reactor {
    /// Creates a counter and waits for it.
    func createCounter(id: String = UUID().uuidString, slug: String? = nil, name: String = "") async throws -> Document {
        let job = try await create(NewDocument(id: id, documentType: Counter.documentType, slug: slug, name: name))
        let info = try await waitForJob(job.id)
        return try await get(id, consistencyToken: info.consistencyToken)
    }

    /// Executes and waits; returns the final info.
    @discardableResult
    func executeAndWait(_ id: String, _ actions: [Action]) async throws -> JobInfo {
        let job = try await execute(id, actions: actions)
        return try await jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(30))
    }
}

/// Collects values across tasks.
final class Collector<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ item: T) { items.withLock { $0.append(item) } }
    var values: [T] { items.withLock { $0 } }
}
