import ReactorCore
import ReactorEngine

/// The JSON shapes the HTTP API returns. Each is documented in the OpenAPI document (`/openapi.json`).
public enum Representations {
    /// A document: `{"header": …, "state": {scope: state}, "hashes": {scope: hash}}`.
    public static func document(_ document: Document) -> JSONValue {
        .object([
            "header": document.header.jsonValue,
            "state": .object(document.state),
            "hashes": .object(document.hashes.mapValues { .string($0) }),
        ])
    }

    /// A scope's difference between two revisions (`GET /documents/{id}/diff`).
    public static func diff(_ diff: DocumentDiff) -> JSONValue {
        .object([
            "scope": .string(diff.scope), "from": .number(Double(diff.from)), "to": .number(Double(diff.to)),
            "fromHash": .string(diff.fromHash), "toHash": .string(diff.toHash), "patch": .array(diff.patch.map(\.json)),
        ])
    }

    /// A job: its record (its `error` as ``HTTPErrorMapping/publicError(_:)`` shows it) plus `token`, the consistency token as a string for `?consistencyToken=`.
    public static func job(_ info: JobInfo) throws -> JSONValue {
        guard case .object(var object) = try JSONValueCoder.encode(info) else { return .null }
        // A failed job's error is shown as any error response shows it: nothing internal.
        if let error = info.error { object["error"] = HTTPErrorMapping.publicError(error) }
        if let token = info.consistencyToken { object["token"] = .string(ConsistencyTokenCoding.encode(token)) }
        return .object(object)
    }

    /// A page of items: `{"items": […], "nextCursor": "…" | null}`.
    public static func page<T>(_ page: Page<T>, _ transform: (T) throws -> JSONValue) rethrows -> JSONValue {
        .object([
            "items": .array(try page.items.map(transform)),
            "nextCursor": page.nextCursor.map { .string($0) } ?? .null,
        ])
    }

    /// A stored operation with its stream and ordinal.
    public static func operation(_ record: OperationRecord) throws -> JSONValue {
        try JSONValueCoder.encode(record)
    }

    /// A change delivered to subscribers (SSE and WebSocket).
    public static func change(_ change: DocumentChange) throws -> JSONValue {
        .object([
            "kind": .string(change.kind.rawValue),
            "documentId": .string(change.documentID),
            "document": document(change.document),
            "operations": .array(try change.operations.map(operation)),
        ])
    }
}
