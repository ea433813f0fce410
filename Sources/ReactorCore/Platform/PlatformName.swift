/// Checks of the names the platform capabilities take: cache keys, queue names, pub/sub channels and leadership
/// names.
///
/// A name is 1–``maxLength`` bytes of UTF-8 without a NUL character (PostgreSQL `text` cannot hold one). Every
/// adapter applies the same rule, so a name accepted by the in-memory twin is accepted by every other adapter.
public enum PlatformName {
    /// The longest name accepted, in bytes of UTF-8.
    public static let maxLength = 256

    /// Throws ``ReactorError/Code/invalidArgument`` unless `name` is a valid name.
    ///
    /// - Parameters:
    ///   - name: The name to check.
    ///   - kind: What the name names, for the message (`"cache key"`, `"queue name"`, `"channel"` …).
    public static func validate(_ name: String, kind: String) throws {
        func fail(_ why: String) -> ReactorError {
            let shown = name.utf8.count > 64 ? "\(name.prefix(32))… (\(name.utf8.count) bytes)" : name
            return ReactorError(.invalidArgument, "invalid \(kind) '\(shown)': \(why)", details: ["kind": kind, "name": shown])
        }
        guard !name.isEmpty else { throw fail("it is empty") }
        guard name.utf8.count <= maxLength else { throw fail("it is longer than \(maxLength) bytes") }
        guard !name.utf8.contains(0) else { throw fail("it contains a NUL character") }
    }
}

/// Checks and conversions of the durations the platform capabilities take (TTLs, visibility timeouts, delays).
public enum PlatformDuration {
    /// The longest duration accepted: 100 years.
    public static let maximum = Duration.seconds(100 * 366 * 24 * 3600)

    /// Throws ``ReactorError/Code/invalidArgument`` unless `duration` is greater than zero and at most ``maximum``.
    ///
    /// - Parameters:
    ///   - duration: The duration to check.
    ///   - name: What the duration is, for the message (`"ttl"`, `"visibilityTimeout"` …).
    public static func validatePositive(_ duration: Duration, name: String) throws {
        guard duration > .zero else {
            throw ReactorError(.invalidArgument, "\(name) must be greater than zero, got \(duration)", details: ["argument": name])
        }
        try validateMaximum(duration, name: name)
    }

    /// Throws ``ReactorError/Code/invalidArgument`` unless `duration` is zero or more and at most ``maximum``.
    public static func validateNonNegative(_ duration: Duration, name: String) throws {
        guard duration >= .zero else {
            throw ReactorError(.invalidArgument, "\(name) must not be negative, got \(duration)", details: ["argument": name])
        }
        try validateMaximum(duration, name: name)
    }

    private static func validateMaximum(_ duration: Duration, name: String) throws {
        guard duration <= maximum else {
            throw ReactorError(.invalidArgument, "\(name) must be at most 100 years, got \(duration)", details: ["argument": name])
        }
    }

    /// `duration` in whole microseconds (rounded down). Call it on validated durations only.
    public static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
