import ReactorCore

/// One named check of ``BlobStoreConformance``.
///
/// A case gets a factory and calls it once for the store under test. Cases name their buckets with a random suffix
/// (``BlobStoreConformance/bucketName(_:)``), so every case may run against one shared backend (one S3 server), and
/// they only check the buckets they made. Test targets run every case as a parameterised test:
///
/// ```swift
/// @Test(arguments: BlobStoreConformance.cases)
/// func conformance(_ c: BlobStoreConformanceCase) async throws {
///     try await c.run { InMemoryBlobStore() }
/// }
/// ```
public struct BlobStoreConformanceCase: Sendable, CustomStringConvertible {
    /// Opens the store under test.
    public typealias Factory = @Sendable () async throws -> any BlobStore

    /// A short, unique name of what the case checks.
    public let name: String
    /// Runs the case; throws ``ConformanceFailure`` (or the store's error) on failure.
    public let run: @Sendable (_ makeStore: @escaping Factory) async throws -> Void

    /// Creates a case.
    public init(_ name: String, run: @escaping @Sendable (_ makeStore: @escaping Factory) async throws -> Void) {
        self.name = name
        self.run = run
    }

    /// The case's name.
    public var description: String { name }
}
