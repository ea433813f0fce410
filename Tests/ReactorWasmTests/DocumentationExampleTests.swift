import Foundation
import ReactorCore
import ReactorTesting
import ReactorWasm
import Testing

/// The complete WAT example of `docs/functions.md`, read from the page and run: the documentation cannot drift.
@Suite("Documentation example", .timeLimit(.minutes(2)))
struct DocumentationExampleTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/functions.md")

    /// The first ```wat block of the page.
    static func example() throws -> String {
        let text = try String(contentsOf: page, encoding: .utf8)
        guard let start = text.range(of: "```wat\n"), let end = text.range(of: "```", range: start.upperBound..<text.endIndex) else {
            throw ConformanceFailure("docs/functions.md has no ```wat block")
        }
        return String(text[start.upperBound..<end.lowerBound])
    }

    @Test func theExampleFileIsThePagesExample() throws {
        let file = Self.page.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/functions/hello.wat")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.hasSuffix(try Self.example()), "examples/functions/hello.wat (the README's function) differs from the page's example")
    }

    @Test func theWATExampleAnswersAsDocumented() async throws {
        let runtime = WasmFunctionRuntime(configuration: .init(workers: 1))
        let function = try await runtime.compile(.text(try Self.example()))
        let request = FunctionRequest(method: "GET", path: "/hello", query: "name=ada")
        let invocation = await runtime.invoke(function, request: request, environment: ["GREETING": "hello", "OTHER": "x"], limits: .default)
        let response = try invocation.response()
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        let body = try JSONValueCoder.parse(response.body)
        #expect(body["greeting"] == "hello")
        #expect(body["request"] == (try JSONValueCoder.parse(FunctionWire.encodeRequest(request))))
        #expect(invocation.logs == ["greeted"])
        let unset = try await runtime.invoke(function, request: request, environment: [:], limits: .default).response()
        #expect(try JSONValueCoder.parse(unset.body)["greeting"] == "")
    }
}
