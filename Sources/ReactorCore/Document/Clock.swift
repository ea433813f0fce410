import Foundation

/// Wall-clock helpers. Timestamps are integer milliseconds since 1970 (UTC).
public enum Clock {
    /// Now, in milliseconds since 1970.
    @inline(__always)
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// A monotonic instant in nanoseconds, for durations.
    @inline(__always)
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Milliseconds since 1970 of an RFC 3339 date-time (`2025-01-31T00:00:00Z`, with fractions or an offset); nil for
    /// anything else.
    public static func milliseconds(rfc3339 text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        return nil
    }

    /// A moment given as text: integer milliseconds since 1970 (`1767225600000`) or an RFC 3339 / ISO 8601
    /// date-time (`2026-01-01T00:00:00Z`, `2026-01-01T01:00:00.250+01:00`); nil for anything else.
    public static func milliseconds(parsing text: String) -> Int64? {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return Int64(text) }
        return milliseconds(rfc3339: text)
    }

    /// ISO 8601 text (UTC, milliseconds) for a millisecond timestamp.
    /// Exact to the millisecond (integer arithmetic: the text reads back as the same timestamp), e.g.
    /// `2026-01-31T12:00:00.250Z`.
    public static func iso8601(_ milliseconds: Int64) -> String {
        var seconds = milliseconds / 1000, fraction = milliseconds % 1000
        if fraction < 0 { seconds -= 1; fraction += 1000 }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld.%03ldZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
    }
}
