import Foundation
import ReactorCore
import ReactorFunctions
import ReactorMemory
import ReactorTesting
import Synchronization
import Testing

/// The trigger processor on hand-made operation records: matching, the request a function gets, actions
/// submitted back, and what is skipped or retried.
@Suite("FunctionTriggerProcessor", .timeLimit(.minutes(2)))
struct FunctionTriggerProcessorTests {
    final class Submissions: Sendable {
        let submitted = Mutex<[(String, String, [Action])]>([])
        let failure = Mutex<ReactorError?>(nil)
    }

    static func record(_ ordinal: Int64, type: String = "reactor/todo-list", document: String = "doc-1", action: String = "ADD_TODO") -> OperationRecord {
        OperationRecord(
            stream: StreamID(documentID: document, scope: Scope.global, branch: Branch.main), documentType: type, ordinal: ordinal,
            operation: Operation(id: "op\(ordinal)", index: Int(ordinal), timestamp: 1_700_000_000_000, hash: "h\(ordinal)",
                                 action: Action(id: "a\(ordinal)", type: action, input: ["id": .string("t\(ordinal)"), "text": "x"])))
    }

    static func setUp() async throws -> (FunctionService, FunctionTriggerProcessor, MockFunctionRuntime, Submissions) {
        let runtime = MockFunctionRuntime()
        let service = FunctionService(store: InMemoryFunctionStore(), blobs: InMemoryBlobStore(), runtimes: [runtime])
        let submissions = Submissions()
        let sink = FunctionActionSink()
        sink.connect { document, branch, actions in
            if let failure = submissions.failure.withLock({ $0 }) { throw failure }
            submissions.submitted.withLock { $0.append((document, branch, actions)) }
        }
        // Copies every added to-do into the document `copies`.
        runtime.register("copy") { call in
            guard case .object(let request)? = try? JSONValueCoder.parse(call.request.body),
                  case .object(let operation)? = request["operation"], case .object(let action)? = operation["action"],
                  let input = action["input"]
            else { return Array("{\"status\":400}".utf8) }
            let answer: JSONValue = ["status": 200, "json": ["actions": .array([["documentId": "copies", "type": "ADD_TODO", "input": input]])]]
            return answer.canonicalData
        }
        return (service, FunctionTriggerProcessor(service: service, sink: sink), runtime, submissions)
    }

    @Test func matchingOperationsInvokeTheFunctionAndItsActionsAreSubmitted() async throws {
        let (service, processor, _, submissions) = try await Self.setUp()
        _ = try await service.deploy(FunctionDeployment(
            name: "copy", source: .text("mock:copy"),
            settings: FunctionSettings(trigger: FunctionTrigger(documentTypes: ["reactor/todo-list"], actionTypes: ["ADD_TODO"]))))
        _ = try await service.deploy(FunctionDeployment(name: "plain", source: MockFunctionRuntime.module(for: .echo)))
        try await processor.process([
            Self.record(1), Self.record(2, type: "reactor/drive"), Self.record(3, action: "TOGGLE_TODO"), Self.record(4),
        ])
        let submitted = submissions.submitted.withLock { $0 }
        #expect(submitted.map(\.0) == ["copies", "copies"])
        #expect(submitted.map { $0.2.first?.input["id"]?.stringValue } == ["t1", "t4"])
        #expect(submitted.allSatisfy { $0.1 == Branch.main && $0.2.first?.type == "ADD_TODO" })
        let entries = service.logs.entries(function: "copy")
        #expect(entries.count == 2 && entries.allSatisfy { $0.trigger == "operation" })
        #expect(service.logs.entries(function: "plain").isEmpty, "a function without a trigger is not invoked")
    }

    @Test func theRequestCarriesTheOperation() async throws {
        let request = FunctionService.triggerRequest(Self.record(7))
        #expect(request.method == "POST")
        let body = try JSONValueCoder.parse(request.body)
        #expect(body["trigger"]?.stringValue == "operation")
        #expect(body["documentId"]?.stringValue == "doc-1")
        #expect(body["documentType"]?.stringValue == "reactor/todo-list")
        #expect(body["ordinal"]?.intValue == 7)
        #expect(body["operation"]?["action"]?["type"]?.stringValue == "ADD_TODO")
    }

    @Test func aFailingFunctionOrRefusedActionsAreSkippedButAnUnavailableReactorIsRetried() async throws {
        let (service, processor, _, submissions) = try await Self.setUp()
        _ = try await service.deploy(FunctionDeployment(
            name: "trap", source: MockFunctionRuntime.module(for: .trap), settings: FunctionSettings(trigger: FunctionTrigger())))
        try await processor.process([Self.record(1)])
        #expect(service.logs.entries(function: "trap").first?.error == "FUNCTION_TRAPPED")
        try await service.delete("trap")

        _ = try await service.deploy(FunctionDeployment(
            name: "copy", source: .text("mock:copy"), settings: FunctionSettings(trigger: FunctionTrigger())))
        submissions.failure.withLock { $0 = ReactorError(.invalidInput, "bad input") }
        try await processor.process([Self.record(1)])
        #expect(service.logs.entries(function: "copy").contains { $0.error == "INVALID_INPUT" })
        submissions.failure.withLock { $0 = ReactorError(.shutdown, "stopping") }
        await #expect(throws: ReactorError.self) { try await processor.process([Self.record(2)]) }
    }
}
