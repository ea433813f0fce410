import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorTesting
import ReactorWasm

/// The to-do model in C (`Modules/todo.c`), built once per test process with clang for wasm32-wasi, and the
/// WebAssembly models of the tests.
enum WasmTodo {
    static let documentType = WasmTodoModule.documentType

    /// `Modules/todo.c` as a binary module, or nil (after saying why) when the toolchain is missing.
    static func module() async throws -> [UInt8]? {
        try await WasmTodoModule.build()
    }

    /// What registers the to-do module as `example/wasm-todo` version 1 (the Swift model's initial states).
    static func registration(_ module: [UInt8], fuel: UInt64? = nil) -> ModelRegistration {
        ModelRegistration(
            documentType: documentType, version: 1, module: module,
            initialState: [Scope.global: TodoList.model.initialState(scope: Scope.global)], fuelPerAction: fuel)
    }

    /// The WASM to-do model, compiled directly (no catalog).
    static func model(_ module: [UInt8]) throws -> WasmDocumentModel {
        let reducer = try WasmReducer.compile(.binary(module))
        return try WasmDocumentModel(record: record(of: registration(module), digest: reducer.digest), reducer: reducer)
    }

    /// A WAT model of `Modules/<name>.wat` registered as `documentType`.
    static func watModel(_ name: String, documentType: String, fuel: UInt64? = nil) throws -> WasmDocumentModel {
        let reducer = try WasmReducer.compile(.text(try WasmModules.text(name)))
        let registration = ModelRegistration(documentType: documentType, version: 1, module: reducer.binary, fuelPerAction: fuel)
        return try WasmDocumentModel(record: record(of: registration, digest: reducer.digest), reducer: reducer)
    }

    static func record(of registration: ModelRegistration, digest: String) -> ModelRecord {
        ModelRecord(
            documentType: registration.documentType, version: registration.version, digest: digest, scopes: registration.scopes,
            initialState: registration.initialState, fuelPerAction: registration.fuelPerAction)
    }
}

extension Reactor {
    /// Creates a document of `documentType` and waits for it.
    func createAndWait(_ documentType: String, id: String = UUID().uuidString) async throws -> Document {
        let job = try await create(NewDocument(id: id, documentType: documentType))
        let info = try await waitForJob(job.id)
        return try await get(id, consistencyToken: info.consistencyToken)
    }

    /// Executes `actions` as one job and returns the job once it is done (READ_READY or FAILED).
    @discardableResult
    func run(_ id: String, _ actions: [Action]) async throws -> JobInfo {
        let job = try await execute(id, actions: actions)
        return try await waitForJobInfo(job.id, timeout: .seconds(60))
    }

    /// The operations of `scope` of a document, in order.
    func scopeOperations(_ id: String, scope: String = Scope.global) async throws -> [ReactorCore.Operation] {
        try await operations(OperationQuery(documentID: id, scopes: [scope]), page: PageRequest(limit: 1_000)).items.map(\.operation)
    }
}
