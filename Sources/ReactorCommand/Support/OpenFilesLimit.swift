#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files.
enum OpenFilesLimit {
    /// Raises the soft limit on open files to the hard limit, as servers do at boot: every client connection, store
    /// connection (a SQLite connection holds the database and its WAL) and blob being streamed holds a descriptor, and
    /// many systems start processes at a soft limit of 1024. Returns the limit in force afterwards (nil if unknown).
    @discardableResult
    static func raiseToHardLimit() -> UInt64? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }
}
