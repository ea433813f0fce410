import ReactorCore

extension ReactorConfiguration {
    /// `[models]`: document models as WebAssembly modules (issue 15): the limits of every WASM model, and the
    /// `[[models.modules]]` registered at boot.
    ///
    /// Keys: `fuel_per_action` (the fuel one action of a model registered without its own may use),
    /// `max_memory_bytes` (linear memory per action), `max_module_bytes` (the largest module accepted).
    public struct ModelsSection: Sendable, Equatable {
        /// `models.fuel_per_action`. Default 10,000,000.
        public var fuelPerAction: Int
        /// `models.max_memory_bytes`. Default 64 MiB.
        public var maxMemoryBytes: Int
        /// `models.max_module_bytes`. Default 16 MiB.
        public var maxModuleBytes: Int
        /// `[[models.modules]]`: models registered at boot (idempotent; a different module for a registered type and
        /// version stops the boot with `MODEL_EXISTS`).
        public var modules: [ModelEntry]

        /// Creates the section.
        public init(fuelPerAction: Int = 10_000_000, maxMemoryBytes: Int = 64 << 20, maxModuleBytes: Int = 16 << 20, modules: [ModelEntry] = []) {
            self.fuelPerAction = fuelPerAction
            self.maxMemoryBytes = maxMemoryBytes
            self.maxModuleBytes = maxModuleBytes
            self.modules = modules
        }
    }

    /// One `[[models.modules]]` table: `type`, `version`, `path` (a `.wasm` or `.wat` file), and optionally `scopes`,
    /// `initial_state` (a JSON object of states by scope, as text) and `fuel`.
    public struct ModelEntry: Sendable, Equatable {
        /// The document type.
        public var type: String
        /// The model version.
        public var version: Int
        /// The module's file (relative paths from the working directory).
        public var path: String
        /// The scopes. Default `["global", "local"]`.
        public var scopes: [String]
        /// The state of each scope at creation.
        public var initialState: [String: JSONValue]
        /// The fuel per action, or nil for `models.fuel_per_action`.
        public var fuel: Int?

        /// Creates an entry.
        public init(
            type: String, version: Int, path: String, scopes: [String] = [Scope.global, Scope.local],
            initialState: [String: JSONValue] = [:], fuel: Int? = nil
        ) {
            self.type = type
            self.version = version
            self.path = path
            self.scopes = scopes
            self.initialState = initialState
            self.fuel = fuel
        }
    }

    /// The keys of a `[[models.modules]]` table.
    static let modelEntryKeys = ["type", "version", "path", "scopes", "initial_state", "fuel"]

    /// Reads the `[[models.modules]]` array of tables.
    mutating func applyModelEntries(_ value: TOMLValueReader, source: (String) -> ConfigSource, problems: inout ConfigProblems) {
        guard let tables = value.tables else {
            problems.add("models.modules", "expected an array of tables [[models.modules]], got \(value.typeName)", source: source("models.modules"))
            return
        }
        var entries: [ModelEntry] = []
        for (index, table) in tables.enumerated() {
            let prefix = "models.modules[\(index)]"
            func problem(_ key: String, _ message: String) { problems.add("\(prefix).\(key)", message, source: source("\(prefix).\(key)")) }
            var ok = true
            for key in table.keys.sorted() where !Self.modelEntryKeys.contains(key) {
                let hint = ConfigLoader.closest(key, Self.modelEntryKeys).map { " (did you mean \($0)?)" } ?? ""
                problem(key, "unknown key\(hint); [[models.modules]] has " + Self.modelEntryKeys.joined(separator: ", "))
                ok = false
            }
            for key in ["type", "version", "path"] where table[key] == nil {
                problems.add("\(prefix).\(key)", "is required", source: source(prefix))
                ok = false
            }
            let type = table["type"].flatMap { v in v.string ?? { problem("type", "expected a string, got \(v.typeName)"); ok = false; return nil }() }
            let path = table["path"].flatMap { v in v.string ?? { problem("path", "expected a string, got \(v.typeName)"); ok = false; return nil }() }
            let version = table["version"].flatMap { v in v.int ?? { problem("version", "expected an integer, got \(v.typeName)"); ok = false; return nil }() }
            var entry = ModelEntry(type: type ?? "", version: version ?? 0, path: path ?? "")
            if let v = table["scopes"] {
                if let scopes = v.strings { entry.scopes = scopes } else { problem("scopes", "expected an array of strings, got \(v.typeName)"); ok = false }
            }
            if let v = table["initial_state"] {
                if let text = v.string, let object = (try? JSONValueCoder.parse(text))?.objectValue {
                    entry.initialState = object
                } else {
                    problem("initial_state", "expected a JSON object of states by scope as a string, e.g. '{\"global\": {\"items\": []}}'")
                    ok = false
                }
            }
            if let v = table["fuel"] {
                if let fuel = v.int, fuel > 0 { entry.fuel = fuel } else { problem("fuel", "expected a positive integer, got \(v.typeName)"); ok = false }
            }
            guard ok else { continue }
            let registration = ModelRegistration(
                documentType: entry.type, version: entry.version, module: [], scopes: entry.scopes, initialState: entry.initialState)
            do {
                try registration.validate()
            } catch let error as ReactorError {
                problem(Self.entryKey(error.details["path"]), error.message)
                continue
            } catch {
                continue
            }
            for key in table.keys { origins["\(prefix).\(key)"] = source("\(prefix).\(key)") }
            origins[prefix] = source(prefix)
            entries.append(entry)
        }
        models.modules = entries
    }

    /// The `[[models.modules]]` key of a registration field.
    static func entryKey(_ field: String?) -> String {
        switch field?.split(separator: ".").first.map(String.init) {
        case "documentType": "type"
        case "initialState": "initial_state"
        case "fuelPerAction": "fuel"
        case let other?: other
        case nil: "type"
        }
    }

    /// The rules of `[models]`.
    func modelsProblems(_ add: (String, String) -> Void) {
        if models.fuelPerAction < 1 { add("models.fuel_per_action", "must be at least 1, got \(models.fuelPerAction)") }
        if models.maxMemoryBytes < 65_536 { add("models.max_memory_bytes", "must be at least 65536 (one WebAssembly page), got \(models.maxMemoryBytes)") }
        if models.maxModuleBytes < 8 { add("models.max_module_bytes", "must be at least 8, got \(models.maxModuleBytes)") }
    }

    /// The commented `[[models.modules]]` example at the end of `[models]`.
    static let modelModulesExample = """

        # WASM models registered at boot (idempotent), one [[models.modules]] table each; more can be added at run
        # time with `reactor models add` or POST /reactor/v1/models. The reducer ABI is in docs/functions.md.
        # [[models.modules]]
        # type = "example/wasm-todo"           # the document type (not a built-in one)
        # version = 1
        # path = "models/todo.wasm"            # a .wasm module or .wat text
        # scopes = ["global", "local"]
        # initial_state = '{"global": {"items": [], "title": ""}}'
        # fuel = 10000000                      # per action; absent: models.fuel_per_action

        """
}
