import ReactorCore
import Synchronization

/// An in-memory ``Vault`` for tests above the protocol (configuration resolution, the server, the CLI).
///
/// It checks paths like every adapter (`VaultPath.validate`) and values up to ``maxValueBytes``, records how many
/// calls it served, and can be told to fail: after ``fail(with:)`` every call throws the given error until
/// ``fail(with:)`` is called with `nil`.
public final class MockVault: Vault {
    /// The largest value accepted, in bytes of UTF-8 (the same as the file vault: 64 KiB).
    public static let maxValueBytes = VaultPath.maxValueBytes

    private struct State {
        var secrets: [String: String]
        var failure: ReactorError?
        var calls = 0
    }

    private let state: Mutex<State>

    /// A vault holding `secrets` (the paths are not checked, so tests can seed odd data).
    public init(_ secrets: [String: String] = [:]) {
        state = Mutex(State(secrets: secrets))
    }

    /// Makes every following call throw `error`; `nil` makes calls succeed again.
    public func fail(with error: ReactorError?) {
        state.withLock { $0.failure = error }
    }

    /// A copy of every secret.
    public var secrets: [String: String] { state.withLock { $0.secrets } }

    /// How many calls (`get`, `put`, `delete`, `list`) the vault has served, failed ones included.
    public var callCount: Int { state.withLock { $0.calls } }

    public func get(_ path: String) async throws -> String? {
        try VaultPath.validate(path)
        return try state.withLock { state in
            try Self.enter(&state)
            return state.secrets[path]
        }
    }

    public func put(_ path: String, value: String) async throws {
        try VaultPath.validate(path)
        try VaultPath.validateValue(value, at: path)
        try state.withLock { state in
            try Self.enter(&state)
            state.secrets[path] = value
        }
    }

    @discardableResult
    public func delete(_ path: String) async throws -> Bool {
        try VaultPath.validate(path)
        return try state.withLock { state in
            try Self.enter(&state)
            return state.secrets.removeValue(forKey: path) != nil
        }
    }

    public func list(prefix: String) async throws -> [String] {
        try state.withLock { state in
            try Self.enter(&state)
            return state.secrets.keys.filter { $0.hasPrefix(prefix) }.sorted()
        }
    }

    private static func enter(_ state: inout State) throws {
        state.calls += 1
        if let failure = state.failure { throw failure }
    }
}
