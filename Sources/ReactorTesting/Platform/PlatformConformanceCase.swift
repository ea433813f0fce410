import ReactorCore

/// One named check of a platform-capability conformance suite (``CacheConformance``, ``PubSubConformance``,
/// ``LeaderElectionConformance``).
///
/// A case gets a factory instead of an adapter so that it can open several handles on one backend (two "nodes").
/// Every call of the factory must return a handle on the *same*, initially empty backend: for an in-process adapter
/// the same instance every time; for a shared adapter (PostgreSQL) instances on one schema, ideally on different
/// clients, handed out in turn. Adapters that need a running service (`PostgresPubSub.run()`) start it before the
/// case and stop it after. Test targets run every case as a parameterised test:
///
/// ```swift
/// @Test(arguments: CacheConformance.cases)
/// func conformance(_ c: PlatformConformanceCase<any CacheBackend>) async throws {
///     let cache = InMemoryCacheBackend()
///     try await c.run { cache }
/// }
/// ```
public struct PlatformConformanceCase<Adapter: Sendable>: Sendable, CustomStringConvertible {
    /// Opens a handle on the backend under test; see the type's documentation.
    public typealias Factory = @Sendable () async throws -> Adapter

    /// A short, unique name of what the case checks.
    public let name: String
    /// Runs the case; throws ``ConformanceFailure`` (or the adapter's error) on failure.
    public let run: @Sendable (_ make: @escaping Factory) async throws -> Void

    /// Creates a case.
    public init(_ name: String, run: @escaping @Sendable (_ make: @escaping Factory) async throws -> Void) {
        self.name = name
        self.run = run
    }

    /// The case's name.
    public var description: String { name }
}

/// A conformance case of ``CacheConformance``.
public typealias CacheConformanceCase = PlatformConformanceCase<any CacheBackend>
/// A conformance case of ``PubSubConformance``.
public typealias PubSubConformanceCase = PlatformConformanceCase<any PubSub>
/// A conformance case of ``LeaderElectionConformance``.
public typealias LeaderElectionConformanceCase = PlatformConformanceCase<any LeaderElection>
