import ReactorCore

/// Replaces `env:` and `vault:` references (and strips `literal:`) in configuration values. See ``SecretReference``.
///
/// ``ReactorConfiguration/resolved(environment:vault:)`` uses it for every value; use it directly to resolve a value
/// that is not part of `Reactor.toml`.
public struct SecretResolver: Sendable {
    /// The environment `env:` references read.
    public let environment: [String: String]
    /// The vault `vault:` references read; `nil` when no vault is configured.
    public let vault: (any Vault)?

    /// A resolver reading `environment` and `vault`.
    public init(environment: [String: String], vault: (any Vault)?) {
        self.environment = environment
        self.vault = vault
    }

    /// The value of `text`: the environment variable, the vault secret or the literal text.
    ///
    /// Throws ``ReactorError/Code/configInvalid`` naming `key` for an unset variable, a missing secret, a `vault:`
    /// reference with no vault, or a malformed name or path; errors of the vault itself (a wrong master key, a
    /// corrupt file) keep their code and gain the key in their message.
    public func resolve(_ text: String, key: String) async throws -> String {
        var problems = ConfigProblems()
        let value = try await resolve(text, key: key, source: nil, allowVault: true, problems: &problems)
        try problems.throwIfAny()
        return value ?? text
    }

    /// Resolves `text`, recording a problem (and returning `nil`) when it cannot be resolved.
    func resolve(
        _ text: String, key: String, source: ConfigSource?, allowVault: Bool, problems: inout ConfigProblems
    ) async throws -> String? {
        let reference = SecretReference(text)
        if case .vault(let path) = reference, allowVault {
            if let problem = reference.syntaxProblem {
                problems.add(key, problem, source: source)
                return nil
            }
            guard let vault else {
                problems.add(key, "refers to \(reference.label) but no vault is configured ([vault] backend = \"none\")",
                             source: source)
                return nil
            }
            let secret: String?
            do {
                secret = try await vault.get(path)
            } catch let error as ReactorError {
                var details = error.details
                details["key"] = key
                throw ReactorError(error.code, "cannot resolve \(key) (\(reference.label)): \(error.message)",
                                   details: details, isTransient: error.isTransient)
            }
            guard let secret else {
                problems.add(key, "no secret at vault path '\(path)' (\(reference.label))", source: source)
                return nil
            }
            return secret
        }
        return resolveEnvironment(text, key: key, source: source, problems: &problems)
    }

    /// Resolves `text` with the environment only; a `vault:` reference is a problem.
    func resolveEnvironment(_ text: String, key: String, source: ConfigSource?, problems: inout ConfigProblems) -> String? {
        let reference = SecretReference(text)
        if let problem = reference.syntaxProblem {
            problems.add(key, problem, source: source)
            return nil
        }
        switch reference {
        case .literal(let value):
            return value
        case .environment(let name):
            guard let value = environment[name] else {
                problems.add(key, "environment variable \(name) is not set (\(reference.label))", source: source)
                return nil
            }
            return value
        case .vault:
            problems.add(key, "\(reference.label) cannot be used here: the vault itself is configured by this value",
                         source: source)
            return nil
        }
    }
}
