import AsyncHTTPClient
import ReactorCore

/// The ``DocumentClient`` of a reactor behind a server: the same calls as the engine's in-process `ReactorClient`,
/// over the documented HTTP API (`/reactor/v1`), with the same results and the same error codes.
///
/// Writes are sent with `?wait=true` (one round trip: the server answers once the job is `READ_READY`, with the
/// document); errors come back from the server's JSON error body (`{"error": {"code", "message", "path"}}`) as the
/// ``ReactorError`` with the code the in-process call throws; a server that cannot be reached is `PEER_UNAVAILABLE`.
/// Subscriptions (``changes(_:after:)``) read Server-Sent Events as they arrive and reconnect by themselves
/// (``ReconnectPolicy``), resuming after the last change delivered.
///
/// **The HTTP client.** By default the client uses ``sharedClient``, one `HTTPClient` for the whole process that lives
/// as long as the process and is never shut down: there is nothing to close. Given an `HTTPClient`
/// (`init(_:httpClient:)`), the client uses it and never shuts it down: its owner does, after the last call and
/// subscription ended. Configure a given client as ``sharedClient`` is (no retried connection attempts), or a server
/// that is down makes every call wait for its whole timeout instead of failing at once.
public struct RemoteReactorClient: Sendable {
    /// The process-wide `HTTPClient` of the remote clients that are given none: a failed connection attempt fails the
    /// call at once (`PEER_UNAVAILABLE`) instead of being retried until the call's deadline; a connection is given
    /// 10 seconds to open. Never shut down.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The server, token, timeouts and reconnection policy.
    public let configuration: RemoteClientConfiguration
    let transport: RemoteTransport

    /// A client of the server that `configuration` names, over `httpClient` (owned by the caller).
    public init(_ configuration: RemoteClientConfiguration, httpClient: HTTPClient = RemoteReactorClient.sharedClient) {
        self.configuration = configuration
        self.transport = RemoteTransport(configuration: configuration, http: httpClient)
    }

    /// A client of the server at `baseURL` (`http://host:port`), sending `token` when given.
    public init(baseURL: String, token: String? = nil, httpClient: HTTPClient = RemoteReactorClient.sharedClient) {
        self.init(RemoteClientConfiguration(baseURL: baseURL, token: token), httpClient: httpClient)
    }

    /// `/reactor/v1/documents/{identifier}` with the identifier escaped, and `suffix`.
    static func documentPath(_ identifier: String, _ suffix: String = "") -> String {
        "/reactor/v1/documents/" + RemoteTransport.escape(identifier) + suffix
    }

    /// The paging parameters.
    static func paging(_ page: PageRequest) -> [(String, String?)] {
        [("cursor", page.cursor), ("limit", String(page.limit))]
    }
}

extension RemoteReactorClient: DocumentClient {
    // MARK: Writes

    /// Creates a document (`POST /documents?wait=true`) and returns it.
    public func create(_ document: NewDocument) async throws -> Document {
        let answer = try await transport.send(.POST, "/reactor/v1/documents", [("wait", "true")], body: WireFormat.createBody(document))
        return try WireFormat.document(answer["document"])
    }

    /// Applies `actions` (`POST /documents/{id}/actions?wait=true`) and returns the document afterwards.
    public func execute(_ identifier: String, branch: String = Branch.main, actions: [Action]) async throws -> Document {
        let answer = try await transport.send(.POST, Self.documentPath(identifier, "/actions"), [("branch", branch), ("wait", "true")],
                                              body: try WireFormat.actionsBody(actions))
        return try WireFormat.document(answer["document"])
    }

    /// Queues `actions` (`POST /documents/{id}/actions`, answered 202) and returns the job.
    public func submit(_ identifier: String, branch: String = Branch.main, actions: [Action]) async throws -> JobInfo {
        let answer = try await transport.send(.POST, Self.documentPath(identifier, "/actions"), [("branch", branch)],
                                              body: try WireFormat.actionsBody(actions))
        return try WireFormat.job(answer["job"])
    }

    /// Deletes a document (`DELETE /documents/{id}?wait=true`).
    public func delete(_ identifier: String) async throws {
        _ = try await transport.send(.DELETE, Self.documentPath(identifier), [("wait", "true")])
    }

    // MARK: Jobs

    /// The job (`GET /jobs/{id}`).
    public func job(_ id: String) async throws -> JobInfo {
        try WireFormat.job(try await transport.send(.GET, "/reactor/v1/jobs/" + RemoteTransport.escape(id))["job"])
    }

    /// Waits for the job (`GET /jobs/{id}?wait=true&timeout=`, at most the server's 300 seconds per request).
    public func waitForJob(_ id: String, timeout: Duration) async throws -> JobInfo {
        let seconds = min(300, max(0.001, Double(timeout.nanosecondsClamped) / 1e9))
        let answer = try await transport.send(.GET, "/reactor/v1/jobs/" + RemoteTransport.escape(id),
                                              [("wait", "true"), ("timeout", String(seconds))])
        return try WireFormat.job(answer["job"]).readyOrThrow(waitedFor: timeout)
    }

    // MARK: Reads

    /// The document (`GET /documents/{id}?branch=`).
    public func get(_ identifier: String, branch: String = Branch.main) async throws -> Document {
        try WireFormat.document(try await transport.send(.GET, Self.documentPath(identifier), [("branch", branch)]))
    }

    /// One page of matching documents (`GET /documents?type=&parentId=&ids=&slugs=&includeDeleted=`).
    public func find(_ query: DocumentQuery, page: PageRequest = PageRequest()) async throws -> Page<Document> {
        let answer = try await transport.send(.GET, "/reactor/v1/documents", Self.parameters(query) + Self.paging(page))
        return try WireFormat.page(answer) { try WireFormat.document($0) }
    }

    /// One page of the document's operations (`GET /documents/{id}/operations`).
    public func operations(of identifier: String, branch: String, page: PageRequest) async throws -> Page<OperationRecord> {
        let answer = try await transport.send(.GET, Self.documentPath(identifier, "/operations"), [("branch", branch)] + Self.paging(page))
        return try WireFormat.page(answer, WireFormat.operation)
    }

    /// One page of the document's children (`GET /documents/{id}/children`).
    public func children(of identifier: String, page: PageRequest = PageRequest()) async throws -> Page<Document> {
        try await related(identifier, "/children", page)
    }

    /// One page of the document's parents (`GET /documents/{id}/parents`).
    public func parents(of identifier: String, page: PageRequest = PageRequest()) async throws -> Page<Document> {
        try await related(identifier, "/parents", page)
    }

    private func related(_ identifier: String, _ suffix: String, _ page: PageRequest) async throws -> Page<Document> {
        let answer = try await transport.send(.GET, Self.documentPath(identifier, suffix), Self.paging(page))
        return try WireFormat.page(answer) { try WireFormat.document($0) }
    }

    /// The query parameters of a document search (the find and subscription routes).
    static func parameters(_ query: DocumentQuery) -> [(String, String?)] {
        [
            ("type", query.documentType), ("parentId", query.parentID), ("ids", query.ids?.joined(separator: ",")),
            ("slugs", query.slugs?.joined(separator: ",")), ("includeDeleted", query.includeDeleted ? "true" : nil),
        ]
    }
}
