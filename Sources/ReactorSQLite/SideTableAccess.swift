import GRDB
import ReactorCore

/// Reads and writes of the stores that keep side tables in the ``SQLiteStore``'s file (identity, functions): GRDB's
/// errors become the store's typed errors through `failure`.
struct SideTableAccess: Sendable {
    let pool: DatabasePool
    /// Turns any error into the one the store throws (a `ReactorError` is usually passed through).
    let failure: @Sendable (any Error) -> any Error

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw failure(error)
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw failure(error)
        }
    }
}
