import Foundation
import Testing

/// The shipped `reactor` executable carries no test support: the benchmark and the crash-test worker are
/// `reactor-bench`, and nothing of `ReactorTesting` is linked into `reactor`.
@Suite(.timeLimit(.minutes(10))) struct ShippedBinaryTests {
    @Test func helpListsNeitherTheBenchNorTheCrashWorker() async throws {
        let help = try await runCLI(["--help"])
        #expect(help.status == 0, "\(help.err)")
        #expect(help.out.contains("serve"), "\(help.out)")
        #expect(!help.out.contains("bench"), "\(help.out)")
        #expect(!help.out.contains("crash"), "\(help.out)")
        // `reactor help X` of a command it does not have prints the overview.
        for command in ["bench", "_crash-worker", "crash-worker"] {
            let result = try await runCLI(["help", command])
            #expect(result.out == help.out, "reactor help \(command): \(result.out)")
        }
        let bench = try await runCLI(["bench", "--only", "none"])
        #expect(bench.status == 64, "reactor bench: \(bench.status) \(bench.out)")
    }

    /// Swift's mangled names spell a module as its length and name (`14ReactorTesting`): any symbol, type metadata
    /// or conformance of the module in an executable carries it.
    @Test func reactorDoesNotLinkReactorTesting() async throws {
        let reactor = try Data(contentsOf: try builtBinary("reactor"), options: .alwaysMapped)
        #expect(!contains(reactor, "14ReactorTesting"), "the reactor executable links ReactorTesting")
        // The scan sees what the binaries do link: the server in `reactor`, ReactorTesting in `reactor-bench`.
        #expect(contains(reactor, "13ReactorServer"))
        let bench = try Data(contentsOf: try builtBinary("reactor-bench"), options: .alwaysMapped)
        #expect(contains(bench, "14ReactorTesting"))
    }

    private func contains(_ data: Data, _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard let base = raw.baseAddress, raw.count >= pattern.count else { return false }
            let last = raw.count - pattern.count
            var offset = 0
            while offset <= last {
                guard let hit = memchr(base + offset, Int32(pattern[0]), last - offset + 1) else { return false }
                if memcmp(hit, pattern, pattern.count) == 0 { return true }
                offset = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return false
        }
    }
}
