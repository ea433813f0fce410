import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorTesting
import ReactorWasm
import Testing

/// The sandbox of WASM document models: fuel per action, no clock or randomness, the ABI checked at compile time.
@Suite("WASM model sandbox", .timeLimit(.minutes(3)))
struct WasmModelSandboxTests {
    @Test func exhaustedFuelIsAReducerErrorAndTheJobSucceeds() async throws {
        let spin = try WasmTodo.watModel("modelSpin", documentType: "example/spin", fuel: 100_000)
        try await ReactorBuilder().withDocumentModels([spin]).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createAndWait("example/spin")
            let job = try await reactor.run(doc.id, [Action(type: "ANY")])
            #expect(job.status == .readReady)
            let ops = try await reactor.scopeOperations(doc.id)
            #expect(ops.count == 1)
            #expect(ops.first?.error == "the model used all of its fuel (100000 units) for this action")
            let after = try await reactor.get(doc.id)
            #expect(after.state[Scope.global] == .emptyObject)
        }
    }

    @Test func aModelCannotReadTheClockOrRandomBytes() throws {
        let model = try WasmTodo.watModel("modelClock", documentType: "example/clock")
        let next = try model.reduceValidated(state: .emptyObject, action: Action(type: "TICK")).get()
        #expect(next == ["clock": "52", "random": "52"])
    }

    @Test func theTodoModelTranslatesOncePerActionWithinItsFuel() async throws {
        guard let module = try await WasmTodo.module() else { return }
        let reducer = try WasmReducer.compile(.binary(module))
        let tight = WasmReducer.Limits(fuel: 1_000)
        let action = JSONValue.object(["id": "1", "type": "ADD_TODO", "scope": "global", "input": ["id": "a", "text": "b"], "timestamp": 0])
        let outcome = reducer.reduce(state: Array(#"{"items":[],"title":""}"#.utf8), action: action.canonicalData, limits: tight)
        #expect(outcome == .failed("the model used all of its fuel (1000 units) for this action"))
        let fine = reducer.reduce(state: Array(#"{"items":[],"title":""}"#.utf8), action: action.canonicalData, limits: WasmReducer.Limits())
        #expect(fine == .state(["items": [["done": false, "id": "a", "text": "b"]], "title": ""]))
    }

    @Test func modulesThatBreakTheABIAreRefused() throws {
        let cases: [(String, String)] = [
            ("(module (memory (export \"memory\") 1))", "reactor_alloc"),
            ("(module (func (export \"reactor_alloc\") (param i32) (result i32) (i32.const 0)))", "memory"),
            ("(module (import \"env\" \"now\" (func)) (memory (export \"memory\") 1))", "env.now"),
            ("""
            (module (memory (export "memory") 1)
              (func (export "reactor_alloc") (param i32) (result i32) (i32.const 0))
              (func (export "reactor_reduce") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
            """, "reactor_reduce"),
            ("not a module", "WAT"),
        ]
        for (text, mentions) in cases {
            #expect {
                _ = try WasmReducer.compile(.text(text))
            } throws: { error in
                let error = error as? ReactorError
                return error?.code == .modelInvalid && (error?.message.contains(mentions) ?? false)
            }
        }
        #expect(throws: ReactorError.self) { _ = try WasmReducer.compile(.binary(Array("\u{0}asm junk".utf8))) }
    }

    @Test func aBadResultIsAReducerErrorAndAnInvalidAnswerFailsTheJob() throws {
        let echo = """
            (module (memory (export "memory") 1)
              (data (i32.const 0) "{\\"invalid\\":\\"field 'input.id' is required\\",\\"path\\":\\"input.id\\"}not json")
              (func (export "reactor_alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "reactor_reduce") (param i32 i32 i32 i32) (result i64)
                (if (result i64) (i32.eq (local.get 1) (i32.const 2))
                  (then (i64.const 60))
                  (else (i64.or (i64.shl (i64.const 60) (i64.const 32)) (i64.const 8))))))
            """
        let reducer = try WasmReducer.compile(.text(echo))
        let record = ModelRecord(documentType: "example/echo", version: 1, digest: reducer.digest, scopes: ["global"], initialState: [:])
        let model = try WasmDocumentModel(record: record, reducer: reducer)
        // `{}` (2 bytes) as the state: the validation answer.
        #expect {
            try model.validate(Action(type: "X"))
        } throws: { ($0 as? ReactorError)?.code == .invalidInput && ($0 as? ReactorError)?.details["path"] == "input.id" }
        // Another state: "not json" is a reducer error.
        let outcome = try model.reduceValidated(state: ["a": 1], action: Action(type: "X"))
        guard case .failure(let error) = outcome else { Issue.record("\(outcome)"); return }
        #expect(History.describe(error) == "the model's result is not a JSON object")
    }
}
