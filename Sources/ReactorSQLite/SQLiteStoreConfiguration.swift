/// Settings of a ``SQLiteStore``.
///
/// Keys and defaults:
/// - `durability`: ``Durability/normal``.
/// - `busyTimeout`: 5 seconds.
/// - `readerCount`: 4 concurrent reader connections.
public struct SQLiteStoreConfiguration: Sendable, Hashable {
    /// How much of a committed write survives a crash.
    ///
    /// The file is always in WAL (write-ahead log) mode; the two levels differ only in SQLite's `synchronous`
    /// setting, that is in when the log is flushed to stable storage.
    public enum Durability: String, Sendable, Hashable, CaseIterable {
        /// WAL with `PRAGMA synchronous = NORMAL`: a commit is written to the log but the log is only flushed
        /// (fsync) at checkpoints. Every acknowledged commit survives a crash or SIGKILL of the process, because the
        /// operating system keeps the written pages; on power loss or a kernel crash the last transactions before the
        /// failure may be lost (rolled back as a whole, never torn), and the file stays consistent.
        /// Much faster than ``full``: a commit costs no fsync.
        case normal
        /// WAL with `PRAGMA synchronous = FULL`: the log is flushed (fsync) at every commit, so an acknowledged commit
        /// also survives power loss and operating-system crashes, at the price of one fsync per write transaction
        /// (group commit shares that fsync between concurrent writers).
        case full

        /// The value of `PRAGMA synchronous` for this level (1 = NORMAL, 2 = FULL).
        public var synchronousPragmaValue: Int {
            switch self {
            case .normal: 1
            case .full: 2
            }
        }
    }

    /// How much of a committed write survives a crash. Default ``Durability/normal``.
    public var durability: Durability
    /// How long a connection waits for a lock held by another connection (another process writing the same file)
    /// before failing with a transient `STORAGE_ERROR`. Default 5 seconds.
    public var busyTimeout: Duration
    /// The maximum number of concurrent reader connections. Default 4.
    public var readerCount: Int

    /// Creates settings; every argument has the documented default.
    public init(durability: Durability = .normal, busyTimeout: Duration = .seconds(5), readerCount: Int = 4) {
        self.durability = durability
        self.busyTimeout = busyTimeout
        self.readerCount = readerCount
    }

    /// ``busyTimeout`` in seconds.
    var busyTimeoutSeconds: Double {
        let c = busyTimeout.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
