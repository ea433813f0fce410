import ReactorCore

/// One named check of the store conformance suite. Run it against a freshly migrated, empty store.
///
/// Test targets run every case of ``StoreConformance/cases`` as a parameterised test:
///
/// ```swift
/// @Test(arguments: StoreConformance.cases)
/// func conformance(_ c: ConformanceCase) async throws {
///     let store = InMemoryStore()
///     try await store.migrate()
///     try await c.run(store)
/// }
/// ```
public struct ConformanceCase: Sendable, CustomStringConvertible {
    /// A short, unique name of what the case checks.
    public let name: String
    /// Runs the case against an empty, migrated store; throws ``ConformanceFailure`` (or the store's error) on
    /// failure.
    public let run: @Sendable (any ReactorStore) async throws -> Void

    /// Creates a case.
    public init(_ name: String, run: @escaping @Sendable (any ReactorStore) async throws -> Void) {
        self.name = name
        self.run = run
    }

    /// The case's name.
    public var description: String { name }
}
