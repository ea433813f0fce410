import ReactorCore

/// One named check of ``VaultConformance``.
///
/// A case gets a factory instead of a vault so that it can open several handles on one vault. Every call of the
/// factory must return a vault over the *same*, initially empty storage: for the file vault a new `FileVault` on one
/// file of a fresh directory, for an in-memory vault the same instance every time. Test targets run every case as a
/// parameterised test:
///
/// ```swift
/// @Test(arguments: VaultConformance.cases)
/// func conformance(_ c: VaultConformanceCase) async throws {
///     let vault = MockVault()
///     try await c.run { vault }
/// }
/// ```
public struct VaultConformanceCase: Sendable, CustomStringConvertible {
    /// Opens a handle on the vault under test; see the type's documentation.
    public typealias Factory = @Sendable () async throws -> any Vault

    /// A short, unique name of what the case checks.
    public let name: String
    /// Runs the case; throws ``ConformanceFailure`` (or the vault's error) on failure.
    public let run: @Sendable (_ makeVault: @escaping Factory) async throws -> Void

    /// Creates a case.
    public init(_ name: String, run: @escaping @Sendable (_ makeVault: @escaping Factory) async throws -> Void) {
        self.name = name
        self.run = run
    }

    /// The case's name.
    public var description: String { name }
}
