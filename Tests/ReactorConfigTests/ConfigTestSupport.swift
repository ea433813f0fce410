import Foundation
import ReactorConfig
import ReactorCore
import Testing

/// Parses `toml` and returns the `CONFIG_INVALID` error it must fail with.
func configError(
    _ toml: String?, environment: [String: String] = [:], overrides: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> ReactorError {
    let error = try #require(throws: ReactorError.self, sourceLocation: sourceLocation) {
        try ConfigLoader.parse(toml, source: "Reactor.toml", environment: environment, overrides: overrides)
    }
    #expect(error.code == .configInvalid, "\(error)", sourceLocation: sourceLocation)
    return error
}

/// Each `(toml, key)` fails to parse with `CONFIG_INVALID` naming `key`.
func expectProblems(_ cases: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) {
    for (text, key) in cases {
        #expect(sourceLocation: sourceLocation) {
            _ = try ConfigLoader.parse(text)
        } throws: { error in
            let error = error as? ReactorError
            return error?.code == .configInvalid && (error?.message.contains(key) ?? false)
        }
    }
}

/// A fresh directory under the system temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-config-tests-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    /// Writes `text` to `name` in the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
