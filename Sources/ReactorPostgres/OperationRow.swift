import PostgresNIO
import ReactorCore

/// Decoding of `operations` rows. Every query that returns operations selects ``columns`` first, in this order.
enum OperationRow {
    /// The operation columns, in the order ``operation(_:)`` reads them.
    static let columns =
        "op_id, idx, skip, op_timestamp, hash, action_id, action_type, action_scope, action_timestamp, input, context, error_json"
    /// ``columns`` followed by what an ``OperationRecord`` adds: ordinal, document_id, scope, branch, document_type,
    /// origin.
    static let recordColumns = columns + ", ordinal, document_id, scope, branch, document_type, origin"

    /// The operation in a row selected with ``columns``.
    static func operation(_ row: PostgresRow) throws -> ReactorCore.Operation {
        let c = try row.decode((String, Int64, Int64, Int64, String, String, String, String, Int64, String, String?, String?).self)
        return try operation(c)
    }

    /// The record in a row selected with ``recordColumns``.
    static func record(_ row: PostgresRow) throws -> OperationRecord {
        let c = try row.decode(
            (String, Int64, Int64, Int64, String, String, String, String, Int64, String, String?, String?, Int64, String, String, String, String,
             String?).self)
        let op = try operation((c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8, c.9, c.10, c.11))
        return OperationRecord(
            stream: StreamID(documentID: c.13, scope: c.14, branch: c.15), documentType: c.16, ordinal: c.12, operation: op,
            origin: c.17)
    }

    private static func operation(
        _ c: (String, Int64, Int64, Int64, String, String, String, String, Int64, String, String?, String?)
    ) throws -> ReactorCore.Operation {
        try StoredRecord.decode("operation") { try decodeOperation(c) }
    }

    private static func decodeOperation(
        _ c: (String, Int64, Int64, Int64, String, String, String, String, Int64, String, String?, String?)
    ) throws -> ReactorCore.Operation {
        let context = try c.10.map { try JSONValueCoder.decode(ActionContext.self, from: JSONValueCoder.parse($0)) }
        let action = Action(id: c.5, type: c.6, scope: c.7, input: try JSONValueCoder.parse(c.9), timestamp: c.8, context: context)
        return ReactorCore.Operation(
            id: c.0, index: Int(c.1), skip: Int(c.2), timestamp: c.3, hash: c.4, action: action,
            error: try c.11.map(decodeError))
    }

    /// The error text from its stored JSON string literal.
    private static func decodeError(_ json: String) throws -> String {
        guard case .string(let text) = try JSONValueCoder.parse(json) else {
            throw ReactorError(.storage, "a stored operation error is not a JSON string")
        }
        return text
    }
}
