import Hummingbird
import NIOCore
import ReactorCore
import ReactorEngine

/// `/health`, `/metrics`, `/openapi.json` (no token needed) and `/_admin/version|doctor|migrate|jobs`.
struct SystemRoutes: Sendable {
    let deps: ServerDependencies

    /// The path of the liveness check, answered whatever the `Host` and `Origin` (load balancers call it by address).
    static let healthPath = "/health"

    func registerPublic(on router: Router<ReactorRequestContext>) {
        router.get(RouterPath(Self.healthPath), use: health)
        router.get("metrics", use: metrics)
        router.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
    }

    func registerAdmin(on group: RouterGroup<ReactorRequestContext>) {
        group.get("version") { _, _ in JSONResponse.make(deps.admin.version) }
        group.get("doctor", use: doctor)
        group.post("migrate") { _, _ in JSONResponse.make(try await deps.admin.migrate()) }
        group.get("jobs", use: jobs)
    }

    /// `GET /_admin/jobs?status=FAILED&limit=100`: the newest jobs this node tracks (its `JobTracker`: the jobs it
    /// accepted since it started, up to the tracker's retention), newest first. `status` (repeatable or
    /// comma-separated) keeps only jobs with one of those statuses; `limit` is 1 to 1000 (default 100).
    @Sendable func jobs(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let limit = try query.int("limit", in: 1...1_000) ?? 100
        var statuses: Set<JobStatus>?
        if let names = query.list("status") {
            statuses = Set(try names.map { name in
                guard let status = JobStatus(rawValue: name) else {
                    throw ReactorError(.invalidInput, "status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                                       details: ["path": "status"])
                }
                return status
            })
        }
        let jobs = deps.reactor.jobTracker.recent(limit: limit, statuses: statuses)
        return JSONResponse.make(.object(["jobs": .array(try jobs.map(Representations.job))]))
    }

    /// 200 `{"status":"ok"}` while the reactor accepts work; 503 `{"status":"shutting_down"}` once it stops.
    @Sendable func health(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        if deps.reactor.isShutdown {
            return JSONResponse.make(.object(["status": "shutting_down"]), status: .serviceUnavailable)
        }
        return JSONResponse.make(.object(["status": "ok"]))
    }

    @Sendable func metrics(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        if let sync = deps.sync { await deps.metrics.sync.refresh(sync) }
        let bytes = deps.metrics.render()
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// 200 when every check passes, 503 otherwise; the body lists the checks.
    @Sendable func doctor(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let checks = await deps.admin.doctor()
        let ok = checks.allSatisfy(\.ok)
        return JSONResponse.make(.object(["ok": .bool(ok), "checks": try JSONValueCoder.encode(checks)]),
                                 status: ok ? .ok : .serviceUnavailable)
    }
}

/// `/_admin/vault`: list, read, write and delete secrets (when a vault is configured).
struct VaultRoutes: Sendable {
    let deps: ServerDependencies

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.get("vault", use: list)
        group.get("vault/**", use: get)
        group.put("vault/**", use: put)
        group.delete("vault/**", use: delete)
    }

    private func vault() throws -> any Vault {
        guard let vault = deps.vault else { throw ReactorError(.unsupported, "no vault is configured on this server ([vault] backend = \"none\")") }
        return vault
    }

    private func path(_ context: ReactorRequestContext) throws -> String {
        let path = context.parameters.getCatchAll().joined(separator: "/")
        try VaultPath.validate(path)
        return path
    }

    @Sendable func list(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let prefix = QueryParameters(request).string("prefix") ?? ""
        let paths = try await vault().list(prefix: prefix)
        return JSONResponse.make(.object(["paths": .array(paths.map { .string($0) })]))
    }

    @Sendable func get(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let path = try path(context)
        let value = try await vault().require(path)
        return JSONResponse.make(.object(["path": .string(path), "value": .string(value)]))
    }

    @Sendable func put(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let path = try path(context)
        let body = try await RequestDecoding.decode(SecretBody.self, from: request, limit: deps.options.maxBodyBytes)
        try await vault().put(path, value: body.value)
        return JSONResponse.make(.object(["path": .string(path)]))
    }

    @Sendable func delete(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let path = try path(context)
        guard try await vault().delete(path) else {
            throw ReactorError(.secretNotFound, "no secret at '\(path)'", details: ["path": path])
        }
        return Response(status: .noContent)
    }
}

/// `GET /reactor/v1/auth/me`: the verified claims of the caller's token (what the remote auth adapter asks).
struct AuthRoutes: Sendable {
    let deps: ServerDependencies

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.get("auth/me") { _, context in
            guard deps.auth != nil else {
                throw ReactorError(.unsupported, "auth is not enabled on this server")
            }
            guard let claims = context.claims else { throw ReactorError(.unauthenticated, "a bearer token is required") }
            return try JSONResponse.make(encoding: AuthMeResponse(claims: claims))
        }
    }
}
