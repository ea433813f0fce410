import Foundation
import HTTPTypes
import Hummingbird
import ReactorCore
import ReactorEngine

/// Documents, operations, relationships, jobs and batches under `/reactor/v1`.
struct DocumentRoutes: Sendable {
    let deps: ServerDependencies
    var reactor: Reactor { deps.reactor }
    var limit: Int { deps.options.maxBodyBytes }

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.post("documents", use: create)
        group.get("documents", use: find)
        group.get("documents/{id}", use: get)
        group.delete("documents/{id}", use: delete)
        group.post("documents/{id}/actions", use: execute)
        group.get("documents/{id}/operations", use: operations)
        group.get("documents/{id}/children", use: children)
        group.post("documents/{id}/children", use: addChildren)
        group.delete("documents/{id}/children/{childId}", use: removeChild)
        group.get("documents/{id}/parents", use: parents)
        group.get("documents/{id}/relationships", use: relationships)
        group.get("documents/{id}/diff", use: diff)
        group.get("jobs/{id}", use: job)
        group.post("batches", use: batch)
    }

    // MARK: Documents

    @Sendable func create(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let wait = try query.bool("wait")
        let body = try await RequestDecoding.decode(CreateDocumentBody.self, from: request, limit: limit)
        let document = try body.newDocument()
        let documents = deps.documents(context)
        let job = try await documents.create(document)
        return try await respond(job: job, wait: wait, minimal: Self.prefersMinimal(request), created: true) {
            try await documents.get(document.id, branch: document.branch, consistencyToken: $0, timeout: deps.options.consistencyTimeout)
        }
    }

    @Sendable func get(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let identifier = try context.parameters.required("id")
        let (branch, token, documents) = (try query.branch(), try query.consistencyToken(), deps.documents(context))
        let document = if let point = try query.documentPoint() {
            // Time travel: ?revision=global:5,document:2 or ?at=<moment>.
            try await documents.getByIdOrSlug(identifier, at: point, branch: branch, consistencyToken: token)
        } else {
            try await documents.getByIdOrSlug(identifier, branch: branch, consistencyToken: token)
        }
        return JSONResponse.make(Representations.document(document))
    }

    /// `GET /documents/{id}/diff?scope=global&from=3&to=7`: how a scope changed between two revisions, as an RFC 6902
    /// JSON Patch.
    @Sendable func diff(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let identifier = try context.parameters.required("id")
        let scope = try query.required("scope")
        let range = 0...DocumentPoint.maxRevision
        let (from, to) = (try query.requiredInt("from", in: range), try query.requiredInt("to", in: range))
        let diff = try await deps.documents(context).diff(identifier, scope: scope, from: from, to: to, branch: try query.branch(),
                                                          consistencyToken: try query.consistencyToken())
        return JSONResponse.make(Representations.diff(diff))
    }

    @Sendable func find(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let documentQuery = try Self.documentQuery(query)
        let page = try await deps.documents(context).find(documentQuery, page: try query.page(), branch: try query.branch(),
                                          consistencyToken: try query.consistencyToken())
        return JSONResponse.make(Representations.page(page, Representations.document))
    }

    @Sendable func delete(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let documents = deps.documents(context)
        let id = try await resolve(context, documents)
        let job = try await documents.deleteDocument(id)
        return try await respond(job: job, wait: try query.bool("wait"), document: nil)
    }

    @Sendable func execute(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let branch = try query.branch()
        let wait = try query.bool("wait")
        let body = try await RequestDecoding.decode(ExecuteBody.self, from: request, limit: limit)
        let actions = try body.validatedActions()
        let documents = deps.documents(context)
        let id = try await resolve(context, documents, branch: branch)
        let job = try await documents.execute(id, branch: branch, actions: actions)
        return try await respond(job: job, wait: wait, minimal: Self.prefersMinimal(request)) {
            try await documents.get(id, branch: branch, consistencyToken: $0, timeout: deps.options.consistencyTimeout)
        }
    }

    @Sendable func operations(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let branch = try query.branch()
        let documents = deps.documents(context)
        let id = try await resolve(context, documents, branch: branch)
        let operationQuery = OperationQuery(
            documentID: id, branch: branch, scopes: query.list("scope"), actionTypes: query.list("actionType"),
            fromIndex: try query.int("fromIndex", in: 0...Int(Int32.max)), since: try query.int64("since"))
        let page = try await documents.operations(operationQuery, page: try query.page(), consistencyToken: try query.consistencyToken())
        return JSONResponse.make(try Representations.page(page, Representations.operation))
    }

    // MARK: Relationships

    @Sendable func children(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let documents = deps.documents(context)
        let id = try await resolve(context, documents)
        let page = try await related(try await documents.children(of: id), page: try query.page(), documents)
        return JSONResponse.make(Representations.page(page, Representations.document))
    }

    @Sendable func parents(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let documents = deps.documents(context)
        let id = try await resolve(context, documents)
        let page = try await related(try await documents.parents(of: id), page: try query.page(), documents)
        return JSONResponse.make(Representations.page(page, Representations.document))
    }

    @Sendable func relationships(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let documents = deps.documents(context)
        let id = try await resolve(context, documents)
        let (outgoing, incoming) = try await documents.relationships(of: id)
        return JSONResponse.make(.object([
            "outgoing": try JSONValueCoder.encode(outgoing),
            "incoming": try JSONValueCoder.encode(incoming),
        ]))
    }

    @Sendable func addChildren(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let body = try await RequestDecoding.decode(ChildrenBody.self, from: request, limit: limit)
        let ids = try body.validated()
        let documents = deps.documents(context)
        let id = try await resolve(context, documents)
        let job = try await documents.addChildren(id, ids)
        return try await respond(job: job, wait: try query.bool("wait"), minimal: Self.prefersMinimal(request)) {
            try await documents.get(id, consistencyToken: $0, timeout: deps.options.consistencyTimeout)
        }
    }

    @Sendable func removeChild(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let childID = try context.parameters.required("childId")
        let documents = deps.documents(context)
        let id = try await resolve(context, documents)
        let job = try await documents.removeChildren(id, [childID])
        return try await respond(job: job, wait: try query.bool("wait"), minimal: Self.prefersMinimal(request)) {
            try await documents.get(id, consistencyToken: $0, timeout: deps.options.consistencyTimeout)
        }
    }

    // MARK: Jobs and batches

    @Sendable func job(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let id = try context.parameters.required("id")
        let documents = deps.documents(context)
        var info = try await documents.jobInfo(id)
        if try query.bool("wait") {
            let timeout = try query.seconds("timeout", max: 300) ?? deps.options.waitTimeout
            info = try await documents.waitForJobInfo(id, timeout: timeout)
        }
        return JSONResponse.make(.object(["job": try Representations.job(info)]))
    }

    @Sendable func batch(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let wait = try query.bool("wait")
        let body = try await RequestDecoding.decode(BatchBody.self, from: request, limit: limit)
        var jobs = try await deps.documents(context).executeBatch(try body.batchJobs())
        if wait {
            for (key, info) in jobs {
                jobs[key] = try await reactor.jobTracker.wait(for: info.id, until: .readReady, timeout: deps.options.waitTimeout)
            }
        }
        var out: [String: JSONValue] = [:]
        for (key, info) in jobs { out[key] = try Representations.job(info) }
        return JSONResponse.make(.object(["jobs": .object(out)]), status: wait ? .ok : .accepted)
    }

    // MARK: Helpers

    /// The id of the readable, live document the `{id}` path parameter names (an id or a slug) on `branch`.
    private func resolve(_ context: ReactorRequestContext, _ documents: AuthorizedReactor, branch: String = Branch.main) async throws -> String {
        try await documents.getByIdOrSlug(try context.parameters.required("id"), branch: branch).id
    }

    private func related(_ ids: [String], page: PageRequest, _ documents: AuthorizedReactor) async throws -> Page<Document> {
        guard !ids.isEmpty else { return Page(items: [], nextCursor: nil) }
        return try await documents.find(DocumentQuery(ids: ids), page: page)
    }

    /// 202 with the job, or (with `wait`) the job once `READ_READY` and the document read with its token.
    /// A failed job answers with its error's status and the job beside the error.
    /// Whether the request prefers `return=minimal` (RFC 7240 `Prefer`): with `?wait=true`, the answer is the job
    /// without the document, so its cost does not grow with the document's state.
    static func prefersMinimal(_ request: Request) -> Bool {
        request.headers[values: HTTPField.Name("Prefer")!].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "return=minimal" }
        }
    }

    private func respond(
        job: JobInfo, wait: Bool, minimal: Bool = false, created: Bool = false,
        document: (@Sendable (ConsistencyToken?) async throws -> Document)?
    ) async throws -> Response {
        guard wait else {
            var response = JSONResponse.make(.object(["job": try Representations.job(job)]), status: .accepted)
            response.headers[.location] = "/reactor/v1/jobs/\(job.id)"
            return response
        }
        let finished = try await reactor.jobTracker.wait(for: job.id, until: .readReady, timeout: deps.options.waitTimeout)
        if let error = finished.error {
            return JSONResponse.error(error, extra: ["job": try Representations.job(finished)])
        }
        guard finished.status == .readReady else {
            let error = ReactorError(.jobTimeout, "job '\(job.id)' did not finish within \(deps.options.waitTimeout); poll /reactor/v1/jobs/\(job.id)",
                                     details: ["jobId": job.id, "status": finished.status.rawValue])
            return JSONResponse.error(error, extra: ["job": try Representations.job(finished)])
        }
        var body: [String: JSONValue] = ["job": try Representations.job(finished)]
        if let document, !minimal { body["document"] = Representations.document(try await document(finished.consistencyToken)) }
        var response = JSONResponse.make(.object(body), status: created ? .created : .ok)
        if minimal, document != nil { response.headers[HTTPField.Name("Preference-Applied")!] = "return=minimal" }
        return response
    }

    private func respond(job: JobInfo, wait: Bool, minimal: Bool, created: Bool = false,
                         _ document: @escaping @Sendable (ConsistencyToken?) async throws -> Document) async throws -> Response {
        try await respond(job: job, wait: wait, minimal: minimal, created: created, document: document)
    }

    /// The document search of `GET /documents` and the subscription routes.
    static func documentQuery(_ query: QueryParameters) throws -> DocumentQuery {
        DocumentQuery(documentType: query.string("type"), parentID: query.string("parentId"), ids: query.list("ids"),
                      slugs: query.list("slugs"), includeDeleted: try query.bool("includeDeleted"))
    }
}
