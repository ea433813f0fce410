import GRDB
import ReactorCore

/// Decoding of `operations` rows. Every query that returns operations selects ``columns`` first, in this order.
enum OperationRow {
    /// The operation columns, in the order ``operation(_:)`` reads them.
    static let columns =
        "op_id, idx, skip, timestamp, hash, action_id, action_type, action_scope, action_timestamp, input, context, error"
    /// ``columns`` followed by what an ``OperationRecord`` adds: ordinal, document_id, scope, branch, document_type,
    /// origin.
    static let recordColumns = columns + ", ordinal, document_id, scope, branch, document_type, origin"

    /// The operation in the first 12 columns of `row`.
    static func operation(_ row: Row) throws -> ReactorCore.Operation {
        try StoredRecord.decode("operation") { try decodeOperation(row) }
    }

    private static func decodeOperation(_ row: Row) throws -> ReactorCore.Operation {
        let contextText = try row.decode(String?.self, atIndex: 10)
        let context = try contextText.map { try JSONValueCoder.decode(ActionContext.self, from: JSONValueCoder.parse($0)) }
        let action = Action(
            id: try row.decode(String.self, atIndex: 5),
            type: try row.decode(String.self, atIndex: 6),
            scope: try row.decode(String.self, atIndex: 7),
            input: try JSONValueCoder.parse(try row.decode(String.self, atIndex: 9)),
            timestamp: try row.decode(Int64.self, atIndex: 8),
            context: context)
        return Operation(
            id: try row.decode(String.self, atIndex: 0),
            index: try row.decode(Int.self, atIndex: 1),
            skip: try row.decode(Int.self, atIndex: 2),
            timestamp: try row.decode(Int64.self, atIndex: 3),
            hash: try row.decode(String.self, atIndex: 4),
            action: action,
            error: try row.decode(String?.self, atIndex: 11))
    }

    /// The record in a row selected with ``recordColumns``.
    static func record(_ row: Row) throws -> OperationRecord {
        OperationRecord(
            stream: StreamID(
                documentID: try row.decode(String.self, atIndex: 13),
                scope: try row.decode(String.self, atIndex: 14),
                branch: try row.decode(String.self, atIndex: 15)),
            documentType: try row.decode(String.self, atIndex: 16),
            ordinal: try row.decode(Int64.self, atIndex: 12),
            operation: try operation(row),
            origin: try row.decode(String?.self, atIndex: 17))
    }
}
