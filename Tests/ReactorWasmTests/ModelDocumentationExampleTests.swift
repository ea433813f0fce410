import Foundation
import ReactorCore
import ReactorEngine
import ReactorTesting
import ReactorWasm
import Testing

/// The WAT model example of `docs/functions.md` ("Document models (reducer ABI)"), read from the page and driven
/// through a reactor: the documentation cannot drift.
@Suite("Model documentation example", .timeLimit(.minutes(2)))
struct ModelDocumentationExampleTests {
    /// The first ```wat block after the "Document models (reducer ABI)" heading.
    static func example() throws -> String {
        let text = try String(contentsOf: DocumentationExampleTests.page, encoding: .utf8)
        guard let section = text.range(of: "## Document models (reducer ABI)"),
              let start = text.range(of: "```wat\n", range: section.upperBound..<text.endIndex),
              let end = text.range(of: "```", range: start.upperBound..<text.endIndex)
        else { throw ConformanceFailure("docs/functions.md has no ```wat block in its reducer ABI section") }
        return String(text[start.upperBound..<end.lowerBound])
    }

    @Test func theREADMEsModelIsThePagesExample() throws {
        let file = DocumentationExampleTests.page.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/models/last-action.wat")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.hasSuffix(try Self.example()), "examples/models/last-action.wat (the README's model) differs from the page's example")
    }

    @Test func theWATModelBehavesAsDocumented() async throws {
        let reducer = try WasmReducer.compile(.text(try Self.example()))
        let record = ModelRecord(documentType: "example/last", version: 1, digest: reducer.digest, scopes: ["global"], initialState: [:])
        let model = try WasmDocumentModel(record: record, reducer: reducer)
        try await ReactorBuilder().withDocumentModels([model]).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createAndWait("example/last")
            let note = Action(id: "a1", type: "NOTE", input: ["text": "hello"], timestamp: 1_733_390_000_000)
            #expect(try await reactor.run(doc.id, [note]).status == .readReady)
            let after = try await reactor.get(doc.id)
            #expect(after.state["global"] == ["last": ["id": "a1", "type": "NOTE", "scope": "global", "input": ["text": "hello"], "timestamp": 1_733_390_000_000]])

            #expect(try await reactor.run(doc.id, [Action(type: "FAIL")]).status == .readReady)
            let ops = try await reactor.scopeOperations(doc.id)
            #expect(ops.last?.error == "FAIL always fails")
            #expect(try await reactor.get(doc.id).state["global"] == after.state["global"])

            let bad = try await reactor.run(doc.id, [Action(type: "BAD")])
            #expect(bad.status == .failed && bad.error?.code == .unknownAction && bad.error?.details["path"] == "actions.type")

            // Undo the note: back to the initial state.
            #expect(try await reactor.run(doc.id, [Action(type: BaseAction.undo)]).status == .readReady)
            #expect(try await reactor.get(doc.id).state["global"] == .emptyObject)
        }
    }
}
