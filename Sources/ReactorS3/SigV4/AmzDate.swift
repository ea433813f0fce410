import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two date forms of Signature Version 4, in UTC: `20150830T123600Z` (the request time) and `20150830` (the
/// credential scope's day).
public struct AmzDate: Sendable, Hashable {
    /// `yyyyMMdd'T'HHmmss'Z'`.
    public let timestamp: String
    /// `yyyyMMdd`.
    public let day: String

    /// The forms of `date` (sub-second parts are dropped).
    public init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = "\(parts.tm_year + 1900)" + two(parts.tm_mon + 1) + two(parts.tm_mday)
        self.day = day
        self.timestamp = day + "T" + two(parts.tm_hour) + two(parts.tm_min) + two(parts.tm_sec) + "Z"
    }
}
