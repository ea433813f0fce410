import Foundation
import ReactorConfig
import ReactorCore
import Testing

/// `[models]` and `[[models.modules]]` (document models as WASM modules, issue 15).
@Suite("[models] in Reactor.toml", .timeLimit(.minutes(1)))
struct ModelsConfigTests {
    @Test func modulesAndLimitsAreRead() throws {
        let config = try ConfigLoader.parse("""
            [models]
            fuel_per_action = 5000
            max_memory_bytes = 1048576

            [[models.modules]]
            type = "example/wasm-todo"
            version = 2
            path = "models/todo.wasm"
            scopes = ["global"]
            initial_state = '{"global": {"items": [], "title": ""}}'
            fuel = 123

            [[models.modules]]
            type = "example/other"
            version = 1
            path = "other.wat"
            """)
        #expect(config.models.fuelPerAction == 5_000)
        #expect(config.models.maxMemoryBytes == 1_048_576)
        #expect(config.models.modules == [
            ReactorConfiguration.ModelEntry(
                type: "example/wasm-todo", version: 2, path: "models/todo.wasm", scopes: ["global"],
                initialState: ["global": ["items": [], "title": ""]], fuel: 123),
            ReactorConfiguration.ModelEntry(type: "example/other", version: 1, path: "other.wat"),
        ])
    }

    @Test func badEntriesNameTheirKey() throws {
        let cases: [(String, String)] = [
            ("[[models.modules]]\ntype = \"a/b\"\nversion = 1", "models.modules[0].path"),
            ("[[models.modules]]\ntype = \"a/b\"\nversion = 1\npath = \"x\"\nfuel = -1", "models.modules[0].fuel"),
            ("[[models.modules]]\ntype = \"a/b\"\nversion = 1\npath = \"x\"\ninitial_state = 'nope'", "models.modules[0].initial_state"),
            ("[[models.modules]]\ntype = \"a/b\"\nversion = 1\npath = \"x\"\nscopes = [\"global\"]\ninitial_state = '{\"local\": {}}'",
             "models.modules[0].initial_state"),
            ("[[models.modules]]\ntype = \"a b\"\nversion = 1\npath = \"x\"", "models.modules[0].type"),
            ("[[models.modules]]\ntype = \"a/b\"\nversion = 0\npath = \"x\"", "models.modules[0].version"),
            ("[[models.modules]]\ntype = \"a/b\"\nversion = 1\npath = \"x\"\nfule = 3", "models.modules[0].fule"),
            ("[models]\nfuel_per_action = 0", "models.fuel_per_action"),
        ]
        expectProblems(cases)
    }

    @Test func theStarterFileShowsAModuleAndStillLoadsToTheDefaults() throws {
        let starter = ReactorConfiguration.starterFile
        #expect(starter.contains("[models]") && starter.contains("# [[models.modules]]"))
        #expect(try ConfigLoader.parse(starter) == .defaults)
    }
}
