import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorTesting
#if WASM
import ReactorWasm
#endif

/// `reactor-bench models`: the to-do list as a WASM document model (`Tests/ReactorWasmTests/Modules/todo.c`, the
/// reducer ABI of docs/functions.md) against the built-in Swift to-do list, on the same actions (issue 15).
///
/// 1. The reducer alone: every action reduced on the state the previous one left, through the path the engine takes
///    (`nativeState`: the Swift model's typed state, the WASM model's canonical bytes), in actions per second.
/// 2. Through a reactor (in-memory store): the same actions as single-action jobs on one document, executed and waited
///    for one after another, in actions per second.
/// With `--actions-out FILE` it writes the initial state and the exact bytes each action hands the module (JSON lines),
/// and with `--module-out FILE` the module, for the wasmtime anchor (`scripts/oracles/wasmtime-models.py`).
struct ModelsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "A WASM to-do model against the Swift one.")

    @Option(name: .long, help: "The to-do module (.wasm); default: built from Tests/ReactorWasmTests/Modules/todo.c with clang.") var module: String?
    @Option(name: .long, help: "Actions in the reducer run.") var actions: Int = 20_000
    @Option(name: .long, help: "Single-action jobs in the reactor run.") var jobs: Int = 2_000
    @Option(name: .long, help: "Items the list holds (the state's size): ADD_TODO up to it, then updates and toggles.") var items: Int = 50
    @Option(name: .customLong("actions-out"), help: "Write the initial state and the actions (JSON lines) here.") var actionsOut: String?
    @Option(name: .customLong("module-out"), help: "Write the module it ran (.wasm) here.") var moduleOut: String?

    func run() async throws {
        #if WASM
        let bytes: [UInt8]
        if let module {
            guard let data = FileManager.default.contents(atPath: module) else { throw ValidationError("cannot read \(module)") }
            bytes = Array(data)
        } else {
            guard let built = try await WasmTodoModule.build() else { throw ValidationError("clang for wasm32-wasi is missing: pass --module") }
            bytes = built
        }
        if let moduleOut { try Data(bytes).write(to: URL(fileURLWithPath: moduleOut)) }
        let reducer = try WasmReducer.compile(.binary(bytes))
        let initial = TodoList.model.initialState(scope: Scope.global)
        let record = ModelRecord(
            documentType: WasmTodoModule.documentType, version: 1, digest: reducer.digest, scopes: [Scope.global, Scope.local],
            initialState: [Scope.global: initial])
        let wasm = try WasmDocumentModel(record: record, reducer: reducer)
        let workload = Self.workload(count: max(actions, jobs), items: max(1, items))
        if let actionsOut {
            var lines = [initial.canonicalString]
            for action in workload.prefix(actions) {
                lines.append(JSONValue.object([
                    "id": .string(action.id), "type": .string(action.type), "scope": .string(action.scope), "input": action.input,
                    "timestamp": .number(Double(action.timestamp)),
                ]).canonicalString)
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: actionsOut, atomically: true, encoding: .utf8)
        }

        print("reactor-bench models: \(actions) actions on a list of up to \(items) items (reducer), \(jobs) single-action jobs (reactor)")
        let swiftRate = try Self.reducerRate(TodoList.model, workload.prefix(actions))
        let wasmRate = try Self.reducerRate(wasm, workload.prefix(actions))
        print(String(format: "reducer, Swift to-do list:  %9.0f actions/s", swiftRate.rate))
        print(String(format: "reducer, WASM to-do list:   %9.0f actions/s  (%.1fx the Swift model's time per action)",
                     wasmRate.rate, swiftRate.rate / wasmRate.rate))
        print(swiftRate.state == wasmRate.state ? "final states: identical" : "final states DIFFER")

        let swiftJobs = try await Self.reactorRate(TodoList.documentType, models: [TodoList.model], workload.prefix(jobs))
        let wasmJobs = try await Self.reactorRate(WasmTodoModule.documentType, models: [wasm], workload.prefix(jobs))
        print(String(format: "reactor, Swift to-do list:  %9.0f actions/s (single-action jobs, executed and awaited one by one)", swiftJobs))
        print(String(format: "reactor, WASM to-do list:   %9.0f actions/s  (%.2fx the Swift model's)", wasmJobs, wasmJobs / swiftJobs))
        #else
        throw ValidationError("this binary was built without the WASM trait")
        #endif
    }

    /// `count` actions: ADD_TODO until the list holds `items`, then UPDATE_TODO (new text) and TOGGLE_TODO in turn,
    /// over the items round robin. Fixed ids and timestamps, so every run (and the anchor) reduces the same bytes.
    static func workload(count: Int, items: Int) -> [Action] {
        (0..<count).map { n in
            let item = "t\(n % items)"
            let action: Action
            if n < items {
                action = Action(type: "ADD_TODO", input: ["id": .string(item), "text": .string("to-do number \(n)")])
            } else if n % 2 == 0 {
                action = Action(type: "UPDATE_TODO", input: ["id": .string(item), "text": .string("to-do number \(n), edited")])
            } else {
                action = Action(type: "TOGGLE_TODO", input: ["id": .string(item)])
            }
            var fixed = action
            fixed.id = "a\(n)"
            fixed.timestamp = 1_733_390_000_000 + Int64(n)
            return fixed
        }
    }

    /// Reduces `actions` one after another on the model's native state (the engine's path); the rate and final state.
    static func reducerRate(_ model: any DocumentModel, _ actions: ArraySlice<Action>) throws -> (rate: Double, state: JSONValue) {
        let initial = model.initialState(scope: Scope.global)
        guard var state = model.nativeState(from: initial, scope: Scope.global) else {
            throw ValidationError("\(model.documentType) has no native state")
        }
        let start = ContinuousClock.now
        for action in actions {
            state = try state.reduceValidated(action).get()
        }
        let elapsed = start.duration(to: .now)
        return (Double(actions.count) / Self.seconds(elapsed), try state.encoded())
    }

    /// Single-action jobs on one document of `documentType` in a reactor on the in-memory store, one after another.
    static func reactorRate(_ documentType: String, models: [any DocumentModel], _ actions: ArraySlice<Action>) async throws -> Double {
        try await ReactorBuilder().withDocumentModels(models).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "bench", documentType: documentType)).id)
            let start = ContinuousClock.now
            for action in actions {
                let info = try await reactor.waitForJob(try await reactor.execute("bench", actions: [action]).id)
                guard info.status == .readReady else { throw ReactorError(.internal, "a job failed: \(info.error?.description ?? "")") }
            }
            return Double(actions.count) / Self.seconds(start.duration(to: .now))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
