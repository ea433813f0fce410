import Foundation
import ReactorAI
import ReactorAIProviders
import ReactorCore
import ReactorMemory
import ReactorTesting
import Testing

/// The gateway's wire format, checked by someone else's client: the official `openai` Python library (PyPI) calls
/// chat (whole and streamed), embeddings and models through `/ai/v1`, and gets the gateway's errors as its own types.
///
/// Runs when `REACTOR_ORACLE_PYTHON` names a Python with `openai` (`.ci/run` sets it up); skipped otherwise.
@Suite("AI gateway against the openai Python client", .timeLimit(.minutes(2)), .enabled(if: OpenAIOracle.python != nil, "REACTOR_ORACLE_PYTHON has no openai"))
struct OpenAIClientOracleTests {
    @Test func theOpenAIClientWorksUnchanged() async throws {
        let python = try #require(OpenAIOracle.python)
        let upstream = FakeUpstream()
        try await withUpstream(upstream) { upstreamBase in
            let up = OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(name: "up", baseURL: upstreamBase + "/v1"))
            let gateway = try AIGateway(
                providers: [up],
                aliases: [AIAlias(name: "fast", targets: [AITarget(provider: "up", model: "echo")]),
                          AIAlias(name: "picky", targets: [AITarget(provider: "up", model: "reject")])],
                meter: AIUsageMeter(store: InMemoryAIUsageStore()))
            try await withAIServer(gateway: gateway) { base, _ in
                let (status, output) = try await OracleProcess.run(python, [OpenAIOracle.script, base + "/ai/v1"])
                #expect(status == 0, "\(output)")
                let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
                let result = try JSONValueCoder.parse(String(line))
                #expect(result["chat"] == "echo: from python")
                #expect(result["chatUsage"] == [5, 3])
                #expect(result["stream"] == ["echo:", " ", "streamed"])
                #expect(result["streamUsage"] == [5, 3])
                #expect(result["embeddings"] == [3, 3])
                #expect(result["models"]?.arrayValue?.contains("fast") == true)
                #expect(result["models"]?.arrayValue?.contains("up:echo") == true)
                #expect(result["missing"] == "AI_MODEL_NOT_FOUND")
                #expect(result["picky"] == 400)
                // What the client asked went to the upstream as it sent it (its own stream_options kept).
                #expect(upstream.requests(model: "echo").contains { $0.body["stream"] == true })
            }
        }
    }
}

enum OpenAIOracle {
    /// The Python named by `REACTOR_ORACLE_PYTHON` when it can import openai.
    static let python: String? = {
        guard let python = OracleProcess.python, !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else { return nil }
        // The venv's site-packages holds an `openai` directory when the client is installed (no process started here).
        let venv = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent()
        let lib = venv.appendingPathComponent("lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        let installed = versions.contains { FileManager.default.fileExists(atPath: lib.appendingPathComponent("\($0)/site-packages/openai").path) }
        return installed ? python : nil
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/openai_oracle.py").path
}
