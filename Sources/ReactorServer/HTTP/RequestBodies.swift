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
        if let id { try Validate.identifier(id, "id") }
        if let slug { try Validate.identifier(slug, "slug") }
        if let branch { try Validate.identifier(branch, "branch") }
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
        guard let id, !id.isEmpty else {
            throw ReactorError(.missingActionID, "every action needs an 'id' (any unique string; it makes retries safe)", details: ["path": "\(path).id"])
        }
        try Validate.identifier(id, "\(path).id")
        try Validate.nonEmpty(type, "\(path).type")
        if let scope { try Validate.nonEmpty(scope, "\(path).scope") }
        return Action(id: id, type: type, scope: scope ?? Scope.global, input: input ?? .emptyObject,
                      timestamp: timestamp ?? Clock.nowMilliseconds(), context: context)
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
            try Validate.identifier(job.documentId, "\(path).documentId")
            if let branch = job.branch { try Validate.identifier(branch, "\(path).branch") }
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
        for (i, id) in ids.enumerated() { try Validate.identifier(id, "ids[\(i)]") }
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
    static let maxIdentifierBytes = 256

    static func nonEmpty(_ value: String, _ path: String) throws {
        guard !value.isEmpty else { throw ReactorError.invalidInput("'\(path)' must not be empty", path: path) }
        guard value.utf8.count <= 1_024 else { throw ReactorError.invalidInput("'\(path)' is longer than 1024 bytes", path: path) }
    }

    /// Ids, slugs, branches: 1–256 bytes, no control characters, no `/`.
    static func identifier(_ value: String, _ path: String) throws {
        guard !value.isEmpty, value.utf8.count <= maxIdentifierBytes else {
            throw ReactorError.invalidInput("'\(path)' must be 1–\(maxIdentifierBytes) bytes", path: path)
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "/" || $0.value == 0x7F }) else {
            throw ReactorError.invalidInput("'\(path)' must not contain '/' or control characters", path: path)
        }
    }
}
