import ReactorTesting
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The test process runs with its hard limit on open files (raised as ReactorTesting loads): the parallel suites hold
/// over a thousand descriptors at their peak.
@Suite(.timeLimit(.minutes(1)))
struct OpenFilesLimitTests {
    @Test func theTestProcessRunsWithItsHardLimit() throws {
        var limit = rlimit()
        #expect(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        #expect(limit.rlim_cur == limit.rlim_max, "soft \(limit.rlim_cur), hard \(limit.rlim_max)")
        #expect(OpenFilesLimit.current == UInt64(limit.rlim_cur))
    }
}
