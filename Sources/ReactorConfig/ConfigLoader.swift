import Foundation
import ReactorCore
import TOMLKit

/// Loads `Reactor.toml`: defaults, then the file, then `REACTOR_<SECTION>__<KEY>` environment variables, then
/// command-line overrides (each later source wins), and validates the result.
///
/// Every problem (TOML syntax, an unknown section or key, a wrong type, a value out of range or not among the
/// choices, a missing required value, a malformed reference) is collected and reported together in one
/// ``ReactorError/Code/configInvalid`` error whose message names each key and where its value came from (the file
/// and line, the environment variable, or the override). References (`env:`, `vault:`) are left for
/// ``ReactorConfiguration/resolved(environment:vault:)``.
///
/// Environment variables and overrides are strings, read as the key's type: booleans `true`/`false`/`1`/`0`, integers,
/// numbers, arrays as a TOML array literal (`["a", "b"]`) or comma-separated (`a,b`). An environment variable
/// `REACTOR_X__Y` naming no key is an error; variables without `__` after `REACTOR_` (`REACTOR_VAULT_KEY`) are
/// ignored.
public enum ConfigLoader {
    /// The file read from the working directory when none is given.
    public static let defaultFileName = "Reactor.toml"

    /// The file ``load(file:environment:overrides:workingDirectory:)`` reads: `explicit` (relative to
    /// `workingDirectory`) when given, else `Reactor.toml` in `workingDirectory` when it exists, else `nil`.
    public static func configFile(explicit: String?, workingDirectory: String? = nil) -> String? {
        let directory = workingDirectory ?? FileManager.default.currentDirectoryPath
        if let explicit { return absolute(explicit, in: directory) }
        let candidate = ReactorConfiguration.join(directory, defaultFileName)
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - file: a configuration file given explicitly (`--config`); it must exist. `nil` reads `Reactor.toml` in
    ///     the working directory if there is one, and the defaults otherwise.
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`).
    ///   - overrides: dotted keys set on the command line, e.g. `["server.bind": "0.0.0.0:9000"]`.
    ///   - workingDirectory: where relative file paths start; the current directory by default.
    /// - Throws: ``ReactorError/Code/configInvalid`` listing every problem.
    public static func load(
        file: String? = nil, environment: [String: String], overrides: [String: String] = [:],
        workingDirectory: String? = nil
    ) throws -> ReactorConfiguration {
        guard let path = configFile(explicit: file, workingDirectory: workingDirectory) else {
            return try parse(nil, source: defaultFileName, environment: environment, overrides: overrides)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReactorError(.configInvalid, "the configuration file '\(path)' does not exist", details: ["file": path])
        }
        guard !isDirectory.boolValue else {
            throw ReactorError(.configInvalid, "the configuration file '\(path)' is a directory", details: ["file": path])
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReactorError(.configInvalid, "cannot read the configuration file '\(path)': \(error.localizedDescription)",
                               details: ["file": path])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReactorError(.configInvalid, "the configuration file '\(path)' is not UTF-8 text", details: ["file": path])
        }
        return try parse(text, source: path, environment: environment, overrides: overrides)
    }

    /// Loads the configuration from TOML text (`nil` for no file) named `source` in messages, then applies the
    /// environment and overrides like ``load(file:environment:overrides:workingDirectory:)``.
    public static func parse(
        _ toml: String?, source: String = defaultFileName, environment: [String: String] = [:],
        overrides: [String: String] = [:]
    ) throws -> ReactorConfiguration {
        var config = ReactorConfiguration()
        var problems = ConfigProblems()
        if let toml { applyFile(toml, path: source, to: &config, problems: &problems) }
        applyEnvironment(environment, to: &config, problems: &problems)
        applyOverrides(overrides, to: &config, problems: &problems)
        problems.append(contentsOf: config.problems())
        try problems.throwIfAny()
        return config
    }

    // MARK: The file

    static func applyFile(_ text: String, path: String, to config: inout ReactorConfiguration, problems: inout ConfigProblems) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            problems.add(
                "\(path):\(position.line):\(position.column)", "TOML syntax error: \(error.description)")
            return
        } catch {
            problems.add(path, "cannot parse the TOML: \(error)")
            return
        }
        let locator = TOMLLineLocator(text)
        func source(_ key: String) -> ConfigSource { .file(path, line: locator.line(of: key)) }
        func ordered(_ names: [String], under prefix: String) -> [String] {
            names.sorted { a, b in
                let la = locator.line(of: prefix + a) ?? Int.max, lb = locator.line(of: prefix + b) ?? Int.max
                return la != lb ? la < lb : a < b
            }
        }
        for sectionName in ordered(table.keys, under: "") {
            guard let value = table[sectionName]?.tomlValue else { continue }
            guard ReactorConfiguration.sectionNames.contains(sectionName) else {
                if value.type == .table {
                    problems.add(
                        sectionName,
                        "unknown section [\(sectionName)]"
                            + (closest(sectionName, ReactorConfiguration.sectionNames).map { " (did you mean [\($0)]?)" } ?? "")
                            + "; the sections are " + ReactorConfiguration.sectionNames.map { "[\($0)]" }.joined(separator: ", "),
                        source: source(sectionName))
                } else {
                    let owner = ConfigKey.all.first { $0.name == sectionName }.map { " (it belongs in [\($0.section)])" } ?? ""
                    problems.add(sectionName, "unknown top-level key; every key belongs in a section\(owner)",
                                 source: source(sectionName))
                }
                continue
            }
            guard let section = value.table else {
                problems.add(sectionName, "expected a section [\(sectionName)], got \(describe(value.type))",
                             source: source(sectionName))
                continue
            }
            let known = ConfigKey.all.filter { $0.section == sectionName }.map(\.name) + (sectionName == "sync" ? ["remotes"] : [])
                + (sectionName == "models" ? ["modules"] : []) + (sectionName == "ai" ? ["providers", "aliases"] : [])
            for name in ordered(section.keys, under: sectionName + ".") {
                let path = "\(sectionName).\(name)"
                if path == "sync.remotes", let element = section[name]?.tomlValue {
                    config.origins[path] = source(path)
                    config.applySyncRemotes(TOMLValueReader(value: element), source: source, problems: &problems)
                    continue
                }
                if path == "models.modules", let element = section[name]?.tomlValue {
                    config.origins[path] = source(path)
                    config.applyModelEntries(TOMLValueReader(value: element), source: source, problems: &problems)
                    continue
                }
                if path == "ai.providers" || path == "ai.aliases", let element = section[name]?.tomlValue {
                    config.origins[path] = source(path)
                    if path == "ai.providers" {
                        config.applyAIProviders(TOMLValueReader(value: element), source: source, problems: &problems)
                    } else {
                        config.applyAIAliases(TOMLValueReader(value: element), source: source, problems: &problems)
                    }
                    continue
                }
                guard let key = ConfigKey.named(sectionName, name) else {
                    problems.add(
                        path, "unknown key"
                            + (closest(name, known).map { " (did you mean \(sectionName).\($0)?)" } ?? "")
                            + "; [\(sectionName)] has " + known.joined(separator: ", "),
                        source: source(path))
                    continue
                }
                guard let element = section[name]?.tomlValue else { continue }
                config.origins[path] = source(path)
                set(key, fromTOML: element, in: &config, source: source(path), problems: &problems)
            }
        }
    }

    static func set(
        _ key: ConfigKey, fromTOML value: TOMLValue, in config: inout ReactorConfiguration, source: ConfigSource,
        problems: inout ConfigProblems
    ) {
        func wrongType() {
            problems.add(key.path, "expected \(key.kind.expectation), got \(describe(value.type))", source: source)
        }
        let converted: ConfigValue
        switch key.kind {
        case .string, .choice, .bind:
            guard value.type == .string, let string = value.string else { return wrongType() }
            converted = .string(string)
        case .int:
            guard value.type == .int, let int = value.int else { return wrongType() }
            converted = .int(int)
        case .double:
            if value.type == .int, let int = value.int {
                converted = .int(int)
            } else if value.type == .double, let double = value.double {
                converted = .double(double)
            } else {
                return wrongType()
            }
        case .bool:
            guard value.type == .bool, let bool = value.bool else { return wrongType() }
            converted = .bool(bool)
        case .strings:
            guard value.type == .array, let array = value.array else { return wrongType() }
            var strings: [String] = []
            var ok = true
            for index in 0..<array.count {
                let element = array[index].tomlValue
                if element.type == .string, let string = element.string {
                    strings.append(string)
                } else {
                    problems.add("\(key.path)[\(index)]", "expected a string, got \(describe(element.type))", source: source)
                    ok = false
                }
            }
            guard ok else { return }
            converted = .strings(strings)
        }
        if let problem = key.apply(&config, converted) { problems.add(key.path, problem, source: source) }
    }

    // MARK: Environment and overrides

    static func applyEnvironment(
        _ environment: [String: String], to config: inout ReactorConfiguration, problems: inout ConfigProblems
    ) {
        let prefix = "REACTOR_"
        for (variable, text) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix(prefix) {
            let rest = variable.dropFirst(prefix.count)
            guard let separator = rest.range(of: "__") else { continue }
            let sectionName = rest[..<separator.lowerBound].lowercased()
            let name = rest[separator.upperBound...].lowercased()
            guard let key = ConfigKey.named(sectionName, name) else {
                let candidates = ConfigKey.all.map(\.environmentVariable)
                problems.add(
                    variable,
                    "this environment variable names no configuration key (\(sectionName).\(name) is unknown"
                        + (closest(variable, candidates).map { "; did you mean \($0)?" } ?? "") + ")")
                continue
            }
            set(key, fromText: text, in: &config, source: .environment(variable), problems: &problems)
        }
    }

    static func applyOverrides(
        _ overrides: [String: String], to config: inout ReactorConfiguration, problems: inout ConfigProblems
    ) {
        for (path, text) in overrides.sorted(by: { $0.key < $1.key }) {
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let key = ConfigKey.named(parts[0], parts[1]) else {
                problems.add(
                    path, "unknown key in a command-line override"
                        + (closest(path, ReactorConfiguration.keyNames).map { " (did you mean \($0)?)" } ?? ""))
                continue
            }
            set(key, fromText: text, in: &config, source: .override(path), problems: &problems)
        }
    }

    /// Reads a string from the environment or the command line as the key's type.
    static func set(
        _ key: ConfigKey, fromText text: String, in config: inout ReactorConfiguration, source: ConfigSource,
        problems: inout ConfigProblems
    ) {
        config.origins[key.path] = source
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func wrongType() {
            problems.add(key.path, "expected \(key.kind.expectation), got \(ConfigValue.tomlString(text))", source: source)
        }
        let converted: ConfigValue
        switch key.kind {
        case .string, .choice, .bind:
            converted = .string(text)
        case .int:
            guard let int = Int(trimmed) else { return wrongType() }
            converted = .int(int)
        case .double:
            guard let double = Double(trimmed), double.isFinite else { return wrongType() }
            converted = .double(double)
        case .bool:
            switch trimmed.lowercased() {
            case "true", "1": converted = .bool(true)
            case "false", "0": converted = .bool(false)
            default: return wrongType()
            }
        case .strings:
            if trimmed.hasPrefix("[") {
                do {
                    let table = try TOMLTable(string: "value = " + trimmed)
                    guard let value = table["value"]?.tomlValue else { return wrongType() }
                    set(key, fromTOML: value, in: &config, source: source, problems: &problems)
                } catch {
                    problems.add(key.path, "is not a valid TOML array: \(error)", source: source)
                }
                return
            }
            let parts = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            converted = .strings(parts.filter { !$0.isEmpty })
        }
        if let problem = key.apply(&config, converted) { problems.add(key.path, problem, source: source) }
    }

    // MARK: Helpers

    static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : ReactorConfiguration.join(directory, path)
    }

    static func describe(_ type: TOMLType) -> String {
        switch type {
        case .int: "an integer"
        case .double: "a floating-point number"
        case .string: "a string"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }

    /// The candidate closest to `name` when it is close enough to be a likely typo.
    static func closest(_ name: String, _ candidates: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= max(2, candidate.count / 4), distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
