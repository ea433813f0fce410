import ReactorCore

/// One thing wrong with a configuration.
struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// The key (`store.backend`), the section (`auth`) or the variable/file the problem is about.
    var key: String
    /// What is wrong.
    var message: String
    /// Where the offending value came from, when known.
    var source: ConfigSource?

    var description: String {
        guard let source, source != .defaultValue else { return "\(key): \(message)" }
        return "\(key): \(message) (\(source))"
    }
}

/// Collects every problem, then throws them together as one ``ReactorError/Code/configInvalid`` error.
struct ConfigProblems {
    private(set) var list: [ConfigProblem] = []

    var isEmpty: Bool { list.isEmpty }

    mutating func add(_ key: String, _ message: String, source: ConfigSource? = nil) {
        list.append(ConfigProblem(key: key, message: message, source: source))
    }

    mutating func append(contentsOf other: ConfigProblems) {
        list += other.list
    }

    /// Throws when there is any problem: the message is the one problem, or a count followed by one line per
    /// problem; `details["keys"]` lists the keys and `details["problems"]` repeats the lines.
    func throwIfAny() throws {
        guard !list.isEmpty else { return }
        throw error()
    }

    func error() -> ReactorError {
        let lines = list.map(\.description)
        let message = lines.count == 1
            ? "invalid configuration: \(lines[0])"
            : "invalid configuration (\(lines.count) problems):\n" + lines.map { "  - \($0)" }.joined(separator: "\n")
        var keys: [String] = []
        for problem in list where !keys.contains(problem.key) { keys.append(problem.key) }
        return ReactorError(
            .configInvalid, message,
            details: ["keys": keys.joined(separator: ", "), "problems": lines.joined(separator: "\n")])
    }
}
