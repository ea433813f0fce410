import Foundation
import ReactorConfig
import ReactorCore
import Testing

@Suite("Starter Reactor.toml", .timeLimit(.minutes(3)))
struct StarterFileTests {
    @Test func loadsBackToExactlyTheDefaults() throws {
        let starter = ReactorConfiguration.starterFile
        let config = try ConfigLoader.parse(starter)
        #expect(config == .defaults)
        #expect(config.server.bind == ReactorConfiguration.defaults.server.bind)
        #expect(config.reactor.jobTimeoutSeconds == 30)
    }

    @Test func listsEverySectionAndKeyWithAComment() throws {
        let starter = ReactorConfiguration.starterFile
        let lines = starter.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for section in ReactorConfiguration.sectionNames {
            let header = try #require(lines.firstIndex(of: "[\(section)]"), "no [\(section)]")
            #expect(lines[header - 1].hasPrefix("# "), "no comment above [\(section)]")
        }
        #expect(ReactorConfiguration.keyNames.count == 32)
        for key in ReactorConfiguration.keyNames {
            let name = String(key.split(separator: ".")[1])
            let line = try #require(lines.firstIndex { $0.hasPrefix("\(name) = ") }, "no \(key)")
            #expect(lines[line - 1].hasPrefix("#"), "no comment above \(key)")
        }
        #expect(starter.contains("bind = \"127.0.0.1:8000\""))
        #expect(starter.contains("job_timeout_seconds = 30.0"))
        #expect(starter.contains("public_keys = []"))
        #expect(starter.contains("enabled = false"))
        #expect(starter.contains("env:NAME"))
        #expect(starter.contains("literal:"))
    }

    @Test func eachKeyEditedInTheStarterFileIsRead() throws {
        // Changing one value of the starter file changes exactly that key.
        var text = ReactorConfiguration.starterFile
        text = text.replacingOccurrences(of: "max_concurrency = 8", with: "max_concurrency = 3")
        text = text.replacingOccurrences(of: "level = \"info\"", with: "level = \"error\"")
        let config = try ConfigLoader.parse(text)
        var expected = ReactorConfiguration.defaults
        expected.reactor.maxConcurrency = 3
        expected.log.level = .error
        #expect(config == expected)
    }
}
