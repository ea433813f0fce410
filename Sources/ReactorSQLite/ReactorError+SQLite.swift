import GRDB
import ReactorCore

extension ReactorError {
    /// Maps an SQLite error to a ``ReactorError``.
    ///
    /// `SQLITE_BUSY` / `SQLITE_LOCKED` become a transient `STORAGE_ERROR`; a uniqueness violation of a stream
    /// position (document, scope, branch, index) becomes a transient `REVISION_CONFLICT`; other SQLite errors become
    /// a permanent `STORAGE_ERROR`. The SQLite code and message go to ``details``.
    init(sqlite error: DatabaseError) {
        var details = [
            "sqliteCode": String(error.extendedResultCode.rawValue),
            "sqliteMessage": error.message ?? "",
        ]
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            self.init(.storage, "the SQLite database is busy", details: details, isTransient: true)
        case .SQLITE_CONSTRAINT where error.isStreamPositionViolation:
            details["reason"] = "an operation with this stream position is already stored"
            self.init(.revisionConflict, "a concurrent writer appended to the stream", details: details, isTransient: true)
        default:
            self.init(.storage, "SQLite error \(error.resultCode.rawValue)", details: details)
        }
    }

    /// Maps any error met while writing to a ``ReactorError`` (a ``ReactorError`` passes through unchanged).
    static func sqliteFailure(_ error: any Error) -> ReactorError {
        switch error {
        case let error as ReactorError: error
        case let error as DatabaseError: ReactorError(sqlite: error)
        case is CancellationError: ReactorError(.storage, "the SQLite access was cancelled", isTransient: true)
        default: ReactorError(.storage, "SQLite store failure", details: ["underlying": String(describing: error)])
        }
    }

    /// Maps any error met while reading: like ``sqliteFailure(_:)``, except that a `CancellationError` passes through.
    static func sqliteReadFailure(_ error: any Error) -> any Error {
        error is CancellationError ? error : sqliteFailure(error)
    }
}
