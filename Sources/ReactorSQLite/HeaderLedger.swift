import GRDB
import ReactorCore
import Synchronization

/// What the writer connection knows of the stored headers, so that a commit changing only a header's `revision` and
/// `lastModifiedAt` leaves the `documents` row alone (see ``CommitWriter`` and schema `v3`).
///
/// An entry is the exact header ``SQLiteStore/header(id:)`` returns for a document, and whether any of its streams
/// carries a `header_modified_at` mark. Entries are recorded only after the transaction that wrote them committed,
/// and all are dropped when another connection (another store or process on the same file) committed since the last
/// transaction (`PRAGMA data_version`), so an entry is never stale. A missing entry only costs a full header write.
final class HeaderLedger: Sendable {
    /// A document's stored header as the writer last saw it.
    struct Entry: Sendable {
        /// The header as read back (the `documents` row with its streams' marks applied).
        var header: DocumentHeader
        /// Whether some stream of the document carries a `header_modified_at` mark.
        var hasMarks: Bool
    }

    /// Entries written by the current transaction, recorded by ``record(_:)`` once it commits.
    typealias Staged = [String: Entry]

    /// The most entries kept; past it the ledger starts afresh (a miss costs one full header write).
    static let capacity = 16_384

    private struct State {
        var entries: [String: Entry] = [:]
        var dataVersion: Int64?
    }

    private let state = Mutex(State())

    /// Drops every entry when another connection committed since the last call. Call at the start of each write
    /// transaction, after its lock is taken.
    func validate(in db: Database) throws {
        let version = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        state.withLock { s in
            if s.dataVersion != version {
                s.entries.removeAll()
                s.dataVersion = version
            }
        }
    }

    /// The entry of `documentID`, if known.
    func entry(_ documentID: String) -> Entry? {
        state.withLock { $0.entries[documentID] }
    }

    /// Records the entries of a committed transaction.
    func record(_ staged: Staged) {
        guard !staged.isEmpty else { return }
        state.withLock { s in
            if s.entries.count + staged.count > Self.capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries.merge(staged) { $1 }
        }
    }

    /// Forgets everything (e.g. after a failed transaction whose effects are unknown).
    func reset() {
        state.withLock { $0 = State() }
    }
}
