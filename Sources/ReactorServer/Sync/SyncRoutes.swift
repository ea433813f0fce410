import Hummingbird
import ReactorCore
import ReactorEngine

/// Sync over HTTP.
///
/// The channel side, for peers (under `/reactor/v1`, with its bearer-token auth when `[auth]` is on):
/// `PUT /sync/channels/{channelId}` registers a peer's channel, `POST /sync/channels/{channelId}/envelopes` takes
/// pushed operations, `GET /sync/channels/{channelId}/operations?after=&limit=&wait=` serves a page (a long poll of
/// at most `sync.long_poll_seconds`). Every request is checked whole before anything changes.
///
/// The remote management (`/reactor/v1/sync/remotes…`, guarded like `/_admin`: the local admin token from this
/// machine, or a bearer token with the `admin` role), and per document and job: `GET /documents/{id}/sync`,
/// `GET /jobs/{id}/sync?timeout=`.
struct SyncRoutes: Sendable {
    let deps: ServerDependencies

    /// The most seconds `?wait=` (operations) and `?timeout=` (pull, job sync) may ask for.
    static let maxWaitSeconds = 300.0

    /// The channel side and the per-document and per-job reads, on the `/reactor/v1` group.
    func register(on api: RouterGroup<ReactorRequestContext>) {
        api.put("sync/channels/{channelId}", use: registerChannel)
        api.post("sync/channels/{channelId}/envelopes", use: receive)
        api.get("sync/channels/{channelId}/operations", use: operations)
        api.get("documents/{id}/sync", use: documentStatus)
        api.get("jobs/{id}/sync", use: jobSync)
    }

    /// The remote management, on a `/reactor/v1/sync` group guarded by ``AdminAuthMiddleware``.
    func registerRemotes(on group: RouterGroup<ReactorRequestContext>) {
        group.get("remotes", use: listRemotes)
        group.post("remotes", use: addRemote)
        group.get("remotes/{name}", use: getRemote)
        group.patch("remotes/{name}", use: patchRemote)
        group.delete("remotes/{name}", use: removeRemote)
        group.post("remotes/{name}/pull", use: pull)
        group.get("remotes/{name}/dead-letters", use: deadLetters)
        group.delete("remotes/{name}/quarantine/{documentId}", use: release)
    }

    private func manager() throws -> SyncManager {
        guard let sync = deps.sync else {
            throw ReactorError(.unsupported, "sync is not available on this server: its store keeps no sync records")
        }
        return sync
    }

    // MARK: Channels (peers)

    @Sendable func registerChannel(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let channelID = try context.parameters.required("channelId")
        let body = try await RequestDecoding.json(request, limit: deps.options.maxBodyBytes)
        try Self.requireObject(body)
        let registration = try JSONValueCoder.decode(SyncChannelRegistration.self, from: body)
        guard registration.channelID == channelID else {
            throw ReactorError.invalidInput("the body's channelId '\(registration.channelID)' is not the one in the path", path: "channelId")
        }
        return try JSONResponse.make(encoding: try await sync.server.register(registration))
    }

    @Sendable func receive(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let channelID = try context.parameters.required("channelId")
        let body = try await RequestDecoding.json(request, limit: deps.options.maxSyncEnvelopeBytes)
        try Self.requireObject(body)
        let envelope = try JSONValueCoder.decode(SyncEnvelope.self, from: body)
        try await deps.documents(context).checkIncoming(envelope.operations)
        return try JSONResponse.make(encoding: try await sync.server.receive(envelope, channelID: channelID))
    }

    @Sendable func operations(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let channelID = try context.parameters.required("channelId")
        let query = QueryParameters(request)
        let after = try query.int64("after") ?? 0
        let limit = try query.int("limit", in: 1...sync.config.pageSize) ?? sync.config.pageSize
        let wait = try Self.waitSeconds(query)
        var page = try await sync.server.page(channelID: channelID, after: after, limit: limit, wait: wait)
        // A peer receives only documents its principal may read (the cursor still passes the others).
        let documents = deps.documents(context)
        if !documents.principal.isUnrestricted {
            var readable: [String: Bool] = [:]
            var kept: [SyncOperation] = []
            for op in page.operations {
                if readable[op.documentID] == nil { readable[op.documentID] = await documents.canRead(op.documentID) }
                if readable[op.documentID] == true { kept.append(op) }
            }
            page.operations = kept
        }
        return try JSONResponse.make(encoding: page)
    }

    // MARK: Documents and jobs

    @Sendable func documentStatus(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let query = QueryParameters(request)
        let branch = try query.branch()
        let id = try await deps.documents(context).getByIdOrSlug(try context.parameters.required("id"), branch: branch).id
        let statuses = try await sync.syncStatus(id, branch: branch)
        return JSONResponse.make(.object([
            "documentId": .string(id),
            "branch": .string(branch),
            "remotes": .array(statuses.map {
                .object(["remote": .string($0.remote), "state": .string($0.state.rawValue), "pending": .bool($0.pending),
                         "quarantined": .bool($0.quarantined)])
            }),
        ]))
    }

    @Sendable func jobSync(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let id = try context.parameters.required("id")
        let timeout = try QueryParameters(request).seconds("timeout", max: Self.maxWaitSeconds) ?? deps.options.waitTimeout
        if !deps.documents(context).principal.isUnrestricted { _ = try await deps.documents(context).jobInfo(id) }
        let acknowledgements = try await sync.waitForSync(id, timeout: timeout)
        return JSONResponse.make(.object([
            "jobId": .string(id),
            "remotes": .array(acknowledgements.map { .object(["remote": .string($0.remote), "cursor": .number(Double($0.cursor))]) }),
        ]))
    }

    // MARK: Remotes

    @Sendable func listRemotes(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        var items: [JSONValue] = []
        for remote in try await sync.remotes() {
            items.append(try SyncJSON.remote(try await sync.status(remote.name)))
        }
        return JSONResponse.make(.object(["items": .array(items)]))
    }

    @Sendable func addRemote(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let body = try await RequestDecoding.json(request, limit: deps.options.maxBodyBytes)
        try Self.requireObject(body)
        let remote = try NewRemoteBody.decode(body)
        try await sync.add(remote)
        var response = JSONResponse.make(try SyncJSON.remote(try await sync.status(remote.name)), status: .created)
        response.headers[.location] = "/reactor/v1/sync/remotes/\(remote.name)"
        return response
    }

    @Sendable func getRemote(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        return JSONResponse.make(try SyncJSON.remote(try await sync.status(try context.parameters.required("name"))))
    }

    @Sendable func patchRemote(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let name = try context.parameters.required("name")
        let body = try await RequestDecoding.json(request, limit: deps.options.maxBodyBytes)
        try Self.requireObject(body)
        let patch = try PatchRemoteBody.decode(body)
        if patch.paused { try await sync.pause(name) } else { try await sync.resume(name) }
        return JSONResponse.make(try SyncJSON.remote(try await sync.status(name)))
    }

    @Sendable func removeRemote(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        try await sync.remove(try context.parameters.required("name"))
        return Response(status: .noContent)
    }

    @Sendable func pull(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let name = try context.parameters.required("name")
        let timeout = try QueryParameters(request).seconds("timeout", max: Self.maxWaitSeconds) ?? deps.options.waitTimeout
        try await sync.pull(name, timeout: timeout)
        return JSONResponse.make(try SyncJSON.remote(try await sync.status(name)))
    }

    @Sendable func deadLetters(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let name = try context.parameters.required("name")
        let query = QueryParameters(request)
        let limit = try query.int("limit", in: 1...PageRequest.maxLimit) ?? 100
        let after = query.string("after")
        let letters = try await sync.deadLetters(name, after: after, limit: limit)
        return JSONResponse.make(.object([
            "items": .array(try letters.map { try JSONValueCoder.encode($0) }),
            "nextCursor": letters.count == limit ? letters.last.map { .string($0.id) } ?? .null : .null,
        ]))
    }

    @Sendable func release(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let sync = try manager()
        let name = try context.parameters.required("name")
        let documentID = try context.parameters.required("documentId")
        try Identifiers.documentID.check(documentID, path: "documentId")
        guard try await sync.release(name, documentID: documentID) else {
            throw ReactorError(.notFound, "document '\(documentID)' is not quarantined for remote '\(name)'",
                               details: ["documentId": documentID, "remote": name])
        }
        return Response(status: .noContent)
    }

    // MARK: Helpers

    static func requireObject(_ value: JSONValue) throws {
        guard case .object = value else {
            throw ReactorError(.invalidInput, "the request body must be a JSON object, not \(value.kindName)")
        }
    }

    /// `?wait=` in seconds: 0 or more (fractions allowed), at most ``maxWaitSeconds`` (the server holds a pull for at
    /// most `sync.long_poll_seconds` anyway).
    static func waitSeconds(_ query: QueryParameters) throws -> Duration {
        guard let raw = query.string("wait") else { return .zero }
        guard let value = Double(raw), value >= 0, value <= maxWaitSeconds else {
            throw ReactorError(.invalidArgument, "query parameter 'wait' must be a number of seconds in [0, \(Int(maxWaitSeconds))] (got '\(raw)')",
                               details: ["path": "wait", "argument": "wait"])
        }
        return .milliseconds(Int64(value * 1000))
    }
}
