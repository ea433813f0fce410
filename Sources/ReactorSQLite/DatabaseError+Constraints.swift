import GRDB

/// Which of the store's uniqueness constraints an SQLite error violates (SQLite names the columns in its message).
extension DatabaseError {
    /// Whether this is a violation of `UNIQUE(document_id, scope, branch, idx)` on `operations`.
    var isStreamPositionViolation: Bool {
        resultCode == .SQLITE_CONSTRAINT && (message ?? "").contains("operations.idx")
    }

    /// Whether this is a violation of `UNIQUE(op_id)` on `operations`.
    var isOperationIDViolation: Bool {
        resultCode == .SQLITE_CONSTRAINT && (message ?? "").contains("operations.op_id")
    }

    /// Whether this is a violation of `UNIQUE(slug)` on `documents`.
    var isSlugViolation: Bool {
        resultCode == .SQLITE_CONSTRAINT && (message ?? "").contains("documents.slug")
    }

    /// Whether this is a violation of `UNIQUE(id)` on `documents`.
    var isDocumentIDViolation: Bool {
        resultCode == .SQLITE_CONSTRAINT && (message ?? "").contains("documents.id")
    }
}
