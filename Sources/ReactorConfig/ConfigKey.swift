import ReactorCore

/// The schema of one configuration key: its TOML name and type, whether it takes `env:`/`vault:` references, its
/// starter-file comment, and how it reads and writes the typed field.
struct ConfigKey {
    /// What a key holds.
    enum Kind: Equatable {
        case string
        case int
        case double
        case bool
        case strings
        case choice([String])
        case bind

        /// How the expected type is named in messages.
        var expectation: String {
            switch self {
            case .string: "a string"
            case .int: "an integer"
            case .double: "a number"
            case .bool: "a boolean (true or false)"
            case .strings: "an array of strings"
            case .choice(let words): "one of " + words.map { "\"\($0)\"" }.joined(separator: ", ")
            case .bind: "an address \"host:port\""
            }
        }
    }

    /// How references are allowed in a key's string values.
    enum References: Equatable {
        /// Not at all (enumerations, the bind address: use a `REACTOR_*` variable instead).
        case none
        /// `env:` only (the vault's own settings and the data directory, which the vault's location depends on).
        case environmentOnly
        /// `env:` and `vault:`.
        case all
    }

    let section: String
    let name: String
    let kind: Kind
    let references: References
    /// The comment above the key in the starter file (one or more lines, without `#`).
    let comment: String
    /// Stores a value of the key's kind in the configuration; returns what is wrong with it, if anything.
    let apply: (inout ReactorConfiguration, ConfigValue) -> String?
    /// Reads the key's value from the configuration.
    let read: (ReactorConfiguration) -> ConfigValue

    /// `section.name`.
    var path: String { "\(section).\(name)" }

    /// The `REACTOR_<SECTION>__<KEY>` variable overriding this key.
    var environmentVariable: String { "REACTOR_\(section.uppercased())__\(name.uppercased())" }

    static func string(
        _ section: String, _ name: String, _ field: WritableKeyPath<ReactorConfiguration, String>,
        references: References = .all, _ comment: String
    ) -> ConfigKey {
        ConfigKey(
            section: section, name: name, kind: .string, references: references, comment: comment,
            apply: { config, value in
                guard case .string(let string) = value else { return "expected a string" }
                config[keyPath: field] = string
                return nil
            },
            read: { .string($0[keyPath: field]) })
    }

    static func strings(
        _ section: String, _ name: String, _ field: WritableKeyPath<ReactorConfiguration, [String]>, _ comment: String
    ) -> ConfigKey {
        ConfigKey(
            section: section, name: name, kind: .strings, references: .all, comment: comment,
            apply: { config, value in
                guard case .strings(let strings) = value else { return "expected an array of strings" }
                config[keyPath: field] = strings
                return nil
            },
            read: { .strings($0[keyPath: field]) })
    }

    static func int(
        _ section: String, _ name: String, _ field: WritableKeyPath<ReactorConfiguration, Int>, _ comment: String
    ) -> ConfigKey {
        ConfigKey(
            section: section, name: name, kind: .int, references: .none, comment: comment,
            apply: { config, value in
                guard case .int(let int) = value else { return "expected an integer" }
                config[keyPath: field] = int
                return nil
            },
            read: { .int($0[keyPath: field]) })
    }

    static func double(
        _ section: String, _ name: String, _ field: WritableKeyPath<ReactorConfiguration, Double>, _ comment: String
    ) -> ConfigKey {
        ConfigKey(
            section: section, name: name, kind: .double, references: .none, comment: comment,
            apply: { config, value in
                switch value {
                case .double(let double): config[keyPath: field] = double
                case .int(let int): config[keyPath: field] = Double(int)
                default: return "expected a number"
                }
                return nil
            },
            read: { .double($0[keyPath: field]) })
    }

    static func bool(
        _ section: String, _ name: String, _ field: WritableKeyPath<ReactorConfiguration, Bool>, _ comment: String
    ) -> ConfigKey {
        ConfigKey(
            section: section, name: name, kind: .bool, references: .none, comment: comment,
            apply: { config, value in
                guard case .bool(let bool) = value else { return "expected a boolean" }
                config[keyPath: field] = bool
                return nil
            },
            read: { .bool($0[keyPath: field]) })
    }

    static func choice<Choice: ConfigChoice>(
        _ section: String, _ name: String, _ field: WritableKeyPath<ReactorConfiguration, Choice>,
        references: References = .all, _ comment: String
    ) -> ConfigKey {
        typed(section, name, kind: .choice(Choice.allCases.map(\.rawValue)), references: references, comment: comment,
              parse: { string in
                  guard let choice = Choice(rawValue: string) else {
                      throw ReactorError(.configInvalid, "must be one of \(Choice.choiceList), got \(ConfigValue.tomlString(string))")
                  }
                  return choice
              },
              field: field, describe: \.rawValue)
    }

    static func bind(
        _ section: String, _ name: String, _ field: WritableKeyPath<ReactorConfiguration, BindAddress>, _ comment: String
    ) -> ConfigKey {
        typed(section, name, kind: .bind, references: .all, comment: comment,
              parse: { try BindAddress(parsing: $0) }, field: field, describe: \.description)
    }

    /// A key written as a string but held as a parsed value (an enumeration, an address). A reference is kept in
    /// ``ReactorConfiguration/deferredReferences`` and parsed when the configuration is resolved; until then the key
    /// reads as the reference.
    private static func typed<Value>(
        _ section: String, _ name: String, kind: Kind, references: References, comment: String,
        parse: @escaping (String) throws -> Value, field: WritableKeyPath<ReactorConfiguration, Value>,
        describe: @escaping (Value) -> String
    ) -> ConfigKey {
        let path = "\(section).\(name)"
        return ConfigKey(
            section: section, name: name, kind: kind, references: references, comment: comment,
            apply: { config, value in
                guard case .string(let string) = value else { return "expected a string" }
                guard case .literal(let text) = SecretReference(string) else {
                    guard references != .none else {
                        return "references are not allowed here; set REACTOR_\(section.uppercased())__\(name.uppercased()) instead"
                    }
                    config.deferredReferences[path] = string
                    return nil
                }
                do {
                    config[keyPath: field] = try parse(text)
                    config.deferredReferences[path] = nil
                    return nil
                } catch let error as ReactorError {
                    return error.message
                } catch {
                    return "\(error)"
                }
            },
            read: { config in .string(config.deferredReferences[path] ?? describe(config[keyPath: field])) })
    }
}
