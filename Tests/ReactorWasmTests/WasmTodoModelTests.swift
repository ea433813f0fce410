import Foundation
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorSQLite
import ReactorTesting
import ReactorWasm
import Testing

/// The to-do model written in C (`Modules/todo.c`) against the built-in Swift one (`reactor/todo-list`): the same
/// actions give the same validation errors, states, reducer errors and state hashes, through real reactors with
/// undo, redo, prune and keyframes.
@Suite("WASM to-do model", .timeLimit(.minutes(5)))
struct WasmTodoModelTests {
    static let longText = String(repeating: "é", count: 2_049)  // 4,098 bytes
    static let tricky = "quote \" backslash \\ newline \n tab \t é 😀 \u{01} \u{7F} </script>"

    /// Jobs of actions (each inner array one job), error cases and history actions included.
    static let jobs: [[Action]] = [
        [TodoList.setTitle("Courses ✓"), TodoList.addTodo(id: "a", text: "lait"), TodoList.addTodo(id: "b", text: "pain")],
        [TodoList.addTodo(id: "a", text: "again")],
        [TodoList.addTodo(id: "c", text: "")],
        [TodoList.addTodo(id: "", text: "x")],
        [TodoList.toggleTodo(id: "b"), TodoList.updateTodo(id: "a", text: "lait entier", done: true)],
        [Action(type: BaseAction.undo)],
        [Action(type: BaseAction.redo)],
        [TodoList.updateTodo(id: "zzz", text: "nope")],
        [TodoList.addTodo(id: "d", text: tricky), TodoList.addTodo(id: "e\"\\é", text: "id with quotes")],
        [TodoList.addTodo(id: "long", text: longText)],
        [TodoList.clearCompleted()],
        [Action(type: BaseAction.undo), Action(type: BaseAction.undo)],
        [TodoList.addTodo(id: "f", text: "five"), TodoList.deleteTodo(id: "b"), TodoList.deleteTodo(id: "nope")],
        [Action(type: BaseAction.prune)],
        [Action(type: BaseAction.undo)],
        [Action(type: BaseAction.redo), TodoList.updateTodo(id: "d", done: false)],
        [TodoList.updateTodo(id: "d", text: "")],
        [TodoList.toggleTodo(id: "d"), TodoList.toggleTodo(id: "f"), TodoList.clearCompleted(), TodoList.setTitle("")],
        [Action(type: BaseAction.prune, input: ["start": 2]), TodoList.addTodo(id: "g", text: String(repeating: "x", count: 4_096))],
    ]

    /// Actions whose input is malformed (or unknown): the job fails, with the same code and path on both models.
    static let invalid: [Action] = [
        Action(type: "ADD_TODO", input: ["id": "x"]),
        Action(type: "ADD_TODO", input: ["id": .null, "text": "y"]),
        Action(type: "ADD_TODO", input: .null),
        Action(type: "ADD_TODO", input: ["id": 1, "text": "y"]),
        Action(type: "TOGGLE_TODO", input: ["id": 5]),
        Action(type: "UPDATE_TODO", input: ["id": "a", "done": "yes"]),
        Action(type: "UPDATE_TODO", input: ["id": "a", "text": 3]),
        Action(type: "SET_TITLE", input: [:]),
        Action(type: "DELETE_TODO", input: "a"),
        Action(type: "NOPE"),
        Action(type: "ADD_TODO", scope: Scope.local, input: ["id": "x", "text": "y"]),
    ]

    @Test func validationErrorsMatchTheSwiftModel() async throws {
        guard let module = try await WasmTodo.module() else { return }
        let wasm = try WasmTodo.model(module)
        for action in Self.invalid {
            let swiftError = Self.validationError { try TodoList.model.validate(action) }
            let wasmError = Self.validationError { try wasm.validate(action) }
            #expect(swiftError != nil, "\(action.type) \(action.input)")
            #expect(wasmError?.code == swiftError?.code, "\(action.type) \(action.input)")
            #expect(wasmError?.details["path"] == swiftError?.details["path"], "\(action.type) \(action.input): \(String(describing: wasmError))")
            // The reducer path reports the same validation error.
            let reduced = Self.validationError { _ = try wasm.reduceValidated(state: wasm.initialState(scope: action.scope), action: action) }
            #expect(reduced?.code == swiftError?.code)
        }
    }

    @Test func reductionsMatchTheSwiftModelAction() async throws {
        guard let module = try await WasmTodo.module() else { return }
        let wasm = try WasmTodo.model(module)
        var swiftState = TodoList.model.initialState(scope: Scope.global)
        var wasmState = wasm.initialState(scope: Scope.global)
        #expect(swiftState.canonicalData == wasmState.canonicalData)
        for action in Self.jobs.joined() where !BaseAction.isHistory(action.type) {
            let s = try TodoList.model.reduceValidated(state: swiftState, action: action)
            let w = try wasm.reduceValidated(state: wasmState, action: action)
            switch (s, w) {
            case (.success(let a), .success(let b)):
                #expect(a.canonicalData == b.canonicalData, "\(action.type)")
                swiftState = a
                wasmState = b
            case (.failure(let a), .failure(let b)):
                #expect(History.describe(a) == History.describe(b), "\(action.type)")
            default:
                Issue.record("\(action.type) \(action.input): Swift \(s), WASM \(w)")
            }
        }
    }

    @Test(arguments: ["memory", "sqlite"])
    func sameStatesAndHashesThroughAReactor(_ backend: String) async throws {
        guard let module = try await WasmTodo.module() else { return }
        let wasm = try WasmTodo.model(module)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wasm-todo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store: any ReactorStore = backend == "sqlite"
            ? try SQLiteStore(path: directory.appendingPathComponent("reactor.sqlite").path) : InMemoryStore()
        try await ReactorBuilder()
            .withDocumentModels(BuiltInModels.all + [wasm])
            .withStore(store)
            .withKeyframeConfig(KeyframeConfig(interval: 3))
            .withReactor { module in
                let reactor = module.reactor
                let swiftDoc = try await reactor.createAndWait(TodoList.documentType)
                let wasmDoc = try await reactor.createAndWait(WasmTodo.documentType)
                #expect(swiftDoc.state[Scope.global] == wasmDoc.state[Scope.global])
                for (n, job) in Self.jobs.enumerated() {
                    let s = try await reactor.run(swiftDoc.id, job)
                    let w = try await reactor.run(wasmDoc.id, job)
                    #expect(s.status == .readReady && w.status == .readReady, "job \(n): \(String(describing: s.error)) / \(String(describing: w.error))")
                }
                for action in Self.invalid {
                    let s = try await reactor.run(swiftDoc.id, [action])
                    let w = try await reactor.run(wasmDoc.id, [action])
                    #expect(s.status == .failed && w.status == .failed)
                    #expect(s.error?.code == w.error?.code, "\(action.type): \(String(describing: s.error)) / \(String(describing: w.error))")
                    #expect(s.error?.details["path"] == w.error?.details["path"])
                }
                try await Self.expectSame(reactor, swiftDoc.id, wasmDoc.id)
                // Cold: from the store's keyframes and operations, not the write cache.
                module.writeCache.removeAll()
                try await Self.expectSame(reactor, swiftDoc.id, wasmDoc.id)
                let ops = try await reactor.scopeOperations(wasmDoc.id)
                #expect(ops.count > 20)
                #expect(ops.contains { $0.error != nil } && ops.contains { $0.skip > 0 })
            }
        try? await store.close()
    }

    /// The two documents have the same states, and every operation the same index, skip, hash and error.
    static func expectSame(_ reactor: Reactor, _ swiftID: String, _ wasmID: String) async throws {
        let swiftDoc = try await reactor.get(swiftID)
        let wasmDoc = try await reactor.get(wasmID)
        #expect(swiftDoc.state[Scope.global]?.canonicalData == wasmDoc.state[Scope.global]?.canonicalData)
        #expect(swiftDoc.hashes[Scope.global] == wasmDoc.hashes[Scope.global])
        #expect(swiftDoc.header.revision == wasmDoc.header.revision)
        let swiftOps = try await reactor.scopeOperations(swiftID)
        let wasmOps = try await reactor.scopeOperations(wasmID)
        #expect(swiftOps.count == wasmOps.count)
        for (s, w) in zip(swiftOps, wasmOps) {
            let what = "operation \(s.index) (\(s.action.type))"
            #expect(s.index == w.index, "\(what)")
            #expect(s.skip == w.skip, "\(what)")
            #expect(s.action.type == w.action.type, "\(what)")
            #expect(s.hash == w.hash, "hash of \(what)")
            #expect(s.error == w.error, "error of \(what)")
        }
    }

    static func validationError(_ body: () throws -> Void) -> ReactorError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ReactorError
        }
    }
}
