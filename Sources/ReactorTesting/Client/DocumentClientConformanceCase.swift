import ReactorCore

/// One named check of ``DocumentClientConformance``: it gets a client of a fresh reactor and drives it.
///
/// Test targets run every case as a parameterised test, once per client, each against a fresh reactor (with the
/// built-in models and one sync remote named ``DocumentClientConformance/unreachableRemote`` that pushes to an
/// address where nothing answers):
///
/// ```swift
/// @Test(arguments: DocumentClientConformance.cases)
/// func inProcess(_ c: DocumentClientConformanceCase) async throws {
///     try await withInProcessClient { client in try await c.run(client) }
/// }
/// ```
public struct DocumentClientConformanceCase: Sendable, CustomStringConvertible {
    /// A short, unique name of what the case checks.
    public let name: String
    /// Runs the case with a client of a fresh reactor; throws ``ConformanceFailure`` (or the client's error) on failure.
    public let run: @Sendable (any DocumentClient) async throws -> Void

    /// Creates a case.
    public init(_ name: String, run: @escaping @Sendable (any DocumentClient) async throws -> Void) {
        self.name = name
        self.run = run
    }

    /// The case's name.
    public var description: String { name }
}
