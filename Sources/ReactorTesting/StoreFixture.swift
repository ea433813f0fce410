import Foundation
import ReactorCore

/// Builders of headers, operations and commits for store tests.
enum StoreFixture {
    static let documentType = "reactor/conformance"
    static let t0: Int64 = 1_700_000_000_000

    static func header(
        _ id: String, type: String = documentType, slug: String? = nil, name: String = "", revision: [String: Int] = [:],
        meta: [String: JSONValue] = [:], signer: SignerInfo? = nil, deletedAt: Int64? = nil
    ) -> DocumentHeader {
        DocumentHeader(
            id: id, slug: slug, name: name, documentType: type, createdAt: t0, lastModifiedAt: t0, revision: revision,
            signer: signer, meta: meta, deletedAt: deletedAt)
    }

    static func stream(_ documentID: String, _ scope: String = Scope.global, branch: String = Branch.main) -> StreamID {
        StreamID(documentID: documentID, scope: scope, branch: branch)
    }

    /// An operation at `index` of `stream` with a fresh action id (so a globally unique operation id).
    static func operation(
        _ stream: StreamID, _ index: Int, type: String = "SET", input: JSONValue? = nil, timestamp: Int64? = nil,
        skip: Int = 0, error: String? = nil, context: ActionContext? = nil
    ) -> ReactorCore.Operation {
        let actionID = UUID().uuidString.lowercased()
        let time = timestamp ?? (t0 + Int64(index))
        let action = Action(
            id: actionID, type: type, scope: stream.scope, input: input ?? ["value": .number(Double(index))],
            timestamp: time, context: context)
        return ReactorCore.Operation(
            id: OperationID.make(stream: stream, actionID: actionID), index: index, skip: skip, timestamp: time,
            hash: "hash-\(stream.scope)-\(index)", action: action, error: error)
    }

    /// `count` operations of `stream` from `index`.
    static func operations(_ stream: StreamID, from index: Int, count: Int, type: String = "SET") -> [ReactorCore.Operation] {
        (0..<count).map { operation(stream, index + $0, type: type) }
    }

    /// A commit that creates `id` with `count` operations in its global stream.
    static func create(_ id: String, slug: String? = nil, type: String = documentType, operations count: Int = 1) -> Commit {
        let s = stream(id)
        return Commit(
            header: header(id, type: type, slug: slug, revision: [Scope.global: count]), createsDocument: true,
            appends: [StreamAppend(stream: s, expectedRevision: 0, operations: operations(s, from: 0, count: count))])
    }

    /// A commit that appends `count` operations to the global stream of `id`, expecting `revision`.
    static func append(_ id: String, at revision: Int, count: Int = 1, header: DocumentHeader? = nil, type: String = "SET") -> Commit {
        let s = stream(id)
        return Commit(
            header: header ?? self.header(id, revision: [Scope.global: revision + count]),
            appends: [StreamAppend(stream: s, expectedRevision: revision, operations: operations(s, from: revision, count: count, type: type))])
    }
}
