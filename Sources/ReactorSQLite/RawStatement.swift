import GRDB
import GRDBSQLite

/// Binds and steps one of GRDB's cached statements through the SQLite C API, without GRDB's argument conversion
/// (an array of existentials converted to `DatabaseValue`s per execution): for the statements every commit runs.
///
/// Used only on the writer connection, inside a transaction, for statements that return no rows. The statement is
/// reset after stepping, so GRDB may use it again as usual.
struct RawStatement {
    private let handle: OpaquePointer
    private let db: Database

    /// Wraps `statement` (a statement of `db`) and resets its previous bindings.
    init(_ statement: Statement, in db: Database) {
        self.handle = statement.sqliteStatement
        self.db = db
        sqlite3_reset(handle)
    }

    /// Binds text to the 1-based parameter `index`; nil binds NULL.
    func bind(_ index: Int32, _ value: String?) {
        guard var text = value else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { chars in
                // A nil address would bind NULL: an empty string binds "" instead.
                guard let address = chars.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
                return sqlite3_bind_text(handle, index, address, Int32(chars.count), Self.transient)
            }
        }
    }

    /// Binds an integer to the 1-based parameter `index`.
    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds an integer to the 1-based parameter `index`.
    func bind(_ index: Int32, _ value: Int) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    /// Runs the statement to completion; throws GRDB's `DatabaseError` (with SQLite's code and message) on failure.
    func execute() throws {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            let message = sqlite3_errmsg(db.sqliteConnection).map { String(cString: $0) }
            throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(db.sqliteConnection)), message: message)
        }
    }

    /// SQLite copies the bound bytes (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)
}
