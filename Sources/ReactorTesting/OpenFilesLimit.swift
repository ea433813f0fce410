import CReactorTestingLimits

/// The limit on open files a test process runs with.
///
/// A binary that links ReactorTesting raises its soft limit on open files to the hard limit as it loads, before any
/// test runs: `swift test` runs the suites in parallel in one process and at its peak holds over a thousand
/// descriptors, more than the 1024 soft limit many shells and CI machines start with.
public enum OpenFilesLimit {
    /// The soft limit after the raise (0 when it could not be read).
    public static var current: UInt64 { UInt64(reactor_testing_open_files_limit()) }
}
