import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite
import ReactorTesting
import Testing

/// A fresh temporary directory per test.
func temporaryDirectory() throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("reactor-it-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The `reactor` binary built next to the test bundle. Fails loudly when it is missing.
func reactorBinary() throws -> URL {
    try builtBinary("reactor")
}

/// The executable product `name` (`reactor`, `reactor-bench`) built next to the test bundle. Fails loudly when it is
/// missing.
func builtBinary(_ name: String) throws -> URL {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    throw ReactorError(.internal, "the \(name) binary was not found near \(exe.path); run `swift build` first")
}

/// Runs the reactor CLI to completion; returns exit code, stdout and stderr.
func runCLI(_ arguments: [String], timeout: TimeInterval = 120) async throws -> (status: Int32, out: String, err: String) {
    try await runCLIWithEnvironment(arguments, [:], timeout: timeout)
}

/// Runs the reactor CLI with extra environment variables (inherited `REACTOR_*` variables are dropped). Waits for the
/// process's exit without holding a thread (the tests share one process's small cooperative pool).
func runCLIWithEnvironment(_ arguments: [String], _ environment: [String: String], timeout: TimeInterval = 120) async throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = try reactorBinary()
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("REACTOR_") }
    env.merge(environment) { $1 }
    process.environment = env
    let dir = try temporaryDirectory()
    let outURL = dir.appendingPathComponent("out")
    let errURL = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let exit = try TestProcess.start(process, standardOutput: outURL, standardError: errURL)
    let finished = await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            _ = await exit.status()
            return !Task.isCancelled
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(timeout))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
    if !finished {
        process.terminate()
        throw ReactorError(.internal, "reactor \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
    }
    let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(at: dir)
    return (process.terminationStatus, out, err)
}

extension ReactorBuilder {
    static func sqlite(_ store: SQLiteStore) -> ReactorBuilder {
        ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
    }
}
