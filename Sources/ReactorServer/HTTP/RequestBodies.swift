import ReactorCore
import ReactorEngine

/// `POST /reactor/v1/documents`.
struct CreateDocumentBody: Decodable {
    var documentType: String
    var id: String?
    var slug: String?
    var name: String?
    var branch: String?
    var meta: [String: JSONValue]?
    var initialState: [String: JSONValue]?
    var modelVersion: Int?

    func newDocument() throws -> NewDocument {
        try Validate.nonEmpty(documentType, "documentType")
        if let id { try Identifiers.documentID.check(id, path: "id") }
        if let slug { try Identifiers.slug.check(slug, path: "slug") }
        if let branch { try Identifiers.branch.check(branch, path: "branch") }
        var doc = NewDocument(documentType: documentType, slug: slug, name: name ?? "", branch: branch ?? Branch.main,
                              meta: meta ?? [:], initialState: initialState, modelVersion: modelVersion)
        if let id { doc.id = id }
        return doc
    }
}

/// One action as a client sends it. `id` is required (it makes re-delivery safe); `scope` defaults to `global`,
/// `input` to `{}`, `timestamp` to now.
struct ActionBody: Decodable {
    var id: String?
    var type: String
    var scope: String?
    var input: JSONValue?
    var timestamp: Int64?
    var context: ActionContext?

    func action(path: String) throws -> Action {
        let action = Action(id: id ?? "", type: type, scope: scope ?? Scope.global, input: input ?? .emptyObject,
                            timestamp: timestamp ?? Clock.nowMilliseconds(), context: context)
        try Identifiers.check(action, path: path)
        try Validate.nonEmpty(type, "\(path).type")
        return action
    }
}

/// `POST /reactor/v1/documents/{id}/actions`.
struct ExecuteBody: Decodable {
    var actions: [ActionBody]

    func validatedActions(path: String = "actions") throws -> [Action] {
        guard !actions.isEmpty else { throw ReactorError.invalidInput("'\(path)' must list at least one action", path: path) }
        guard actions.count <= Validate.maxActionsPerJob else {
            throw ReactorError.invalidInput("at most \(Validate.maxActionsPerJob) actions per job", path: path)
        }
        return try actions.enumerated().map { try $1.action(path: "\(path)[\($0)]") }
    }
}

/// `POST /reactor/v1/batches`.
struct BatchBody: Decodable {
    struct Job: Decodable {
        var key: String
        var documentId: String
        var branch: String?
        var actions: [ActionBody]
        var dependsOn: [String]?
    }
    var jobs: [Job]

    func batchJobs() throws -> [BatchJob] {
        guard !jobs.isEmpty else { throw ReactorError.invalidInput("'jobs' must list at least one job", path: "jobs") }
        guard jobs.count <= 1_000 else { throw ReactorError.invalidInput("at most 1000 jobs per batch", path: "jobs") }
        return try jobs.enumerated().map { index, job in
            let path = "jobs[\(index)]"
            try Validate.nonEmpty(job.key, "\(path).key")
            try Identifiers.documentID.check(job.documentId, path: "\(path).documentId")
            if let branch = job.branch { try Identifiers.branch.check(branch, path: "\(path).branch") }
            let actions = try ExecuteBody(actions: job.actions).validatedActions(path: "\(path).actions")
            return BatchJob(key: job.key, documentID: job.documentId, branch: job.branch ?? Branch.main, actions: actions,
                            dependsOn: job.dependsOn ?? [])
        }
    }
}

/// `POST /reactor/v1/documents/{id}/children`.
struct ChildrenBody: Decodable {
    var ids: [String]

    func validated() throws -> [String] {
        guard !ids.isEmpty else { throw ReactorError.invalidInput("'ids' must list at least one document", path: "ids") }
        guard ids.count <= 1_000 else { throw ReactorError.invalidInput("at most 1000 ids", path: "ids") }
        for (i, id) in ids.enumerated() { try Identifiers.documentID.check(id, path: "ids[\(i)]") }
        return ids
    }
}

/// `PUT /_admin/vault/{path}`.
struct SecretBody: Decodable {
    var value: String
}

/// Field checks shared by the request bodies.
enum Validate {
    static let maxActionsPerJob = 1_000

    static func nonEmpty(_ value: String, _ path: String) throws {
        guard !value.isEmpty else { throw ReactorError.invalidInput("'\(path)' must not be empty", path: path) }
        guard value.utf8.count <= 1_024 else { throw ReactorError.invalidInput("'\(path)' is longer than 1024 bytes", path: path) }
    }
}
