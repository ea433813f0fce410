import ReactorCore

/// How a configuration string is read: a plain value or a reference resolved at boot.
///
/// - `env:NAME` — the value of the environment variable `NAME` (letters, digits and `_`, not starting with a digit).
/// - `vault:path` — the secret at `path` in the configured vault (a `VaultPath`).
/// - `literal:text` — exactly `text`: the way to write a value that itself starts with `env:`, `vault:` or
///   `literal:`.
/// - anything else — the string itself.
///
/// The prefixes are lowercase and case-sensitive. A resolved value is never resolved again (a secret whose text is
/// `env:X` stays `env:X`).
public enum SecretReference: Sendable, Equatable {
    /// A plain value (the text after `literal:`, or a string without a prefix).
    case literal(String)
    /// `env:NAME`.
    case environment(String)
    /// `vault:path`.
    case vault(String)

    /// Reads `text`.
    public init(_ text: String) {
        if text.hasPrefix("env:") {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("vault:") {
            self = .vault(String(text.dropFirst(6)))
        } else if text.hasPrefix("literal:") {
            self = .literal(String(text.dropFirst(8)))
        } else {
            self = .literal(text)
        }
    }

    /// Whether the text is an `env:` or `vault:` reference.
    public var isReference: Bool {
        if case .literal = self { return false }
        return true
    }

    /// What is wrong with the reference's name or path, if anything.
    public var syntaxProblem: String? {
        switch self {
        case .literal: return nil
        case .environment(let name):
            guard let first = name.utf8.first else { return "\"env:\" needs a variable name, e.g. env:DATABASE_URL" }
            let valid = !(first >= 0x30 && first <= 0x39) && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F
            }
            return valid ? nil : "\"env:\(name)\" is not a valid environment variable name (letters, digits and _)"
        case .vault(let path):
            do {
                try VaultPath.validate(path)
                return nil
            } catch let error as ReactorError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
    }

    /// `env:NAME` / `vault:path`, for messages (a literal is never shown: it may be a secret).
    var label: String {
        switch self {
        case .literal: "a literal value"
        case .environment(let name): "env:\(name)"
        case .vault(let path): "vault:\(path)"
        }
    }
}
