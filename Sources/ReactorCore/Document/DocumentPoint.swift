/// A point in a document's past, for a time-travel read (`docs/time-travel.md`).
public enum DocumentPoint: Sendable, Hashable {
    /// Each named scope at its revision: the number of its stream's operations (as ``DocumentHeader/revision``
    /// counts them; 0 is the initial state). Scopes not named stay at their current revision.
    case revisions([String: Int])
    /// Every scope, the `document` scope included, at its last operation whose timestamp is at or before this moment
    /// (milliseconds since 1970, like ``Operation/timestamp`` and ``DocumentHeader/lastModifiedAt``).
    case time(Int64)

    /// The largest revision a point may name (the bound of an index in every store).
    public static let maxRevision = Int(Int32.max)

    /// Parses revisions written as `scope:revision` pairs separated by commas (`global:5,document:2`). Throws
    /// `INVALID_ARGUMENT` with `path` when the text is not that, names a scope twice, or a revision is not an integer
    /// in 0…``maxRevision``.
    public static func revisions(parsing text: String, path: String = "revision") throws -> DocumentPoint {
        func fail(_ why: String) -> ReactorError {
            ReactorError(.invalidArgument, "'\(path)' must be scope:revision pairs separated by commas, e.g. global:5,document:2 (\(why))",
                         details: ["path": path])
        }
        var revisions: [String: Int] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { throw fail("got '\(pair)'") }
            let scope = String(parts[0])
            guard let revision = Int(parts[1]), (0...maxRevision).contains(revision) else {
                throw fail("the revision of '\(scope)' must be an integer in 0...\(maxRevision), got '\(parts[1])'")
            }
            guard revisions.updateValue(revision, forKey: scope) == nil else { throw fail("'\(scope)' is named twice") }
        }
        return .revisions(revisions)
    }

    /// Parses a moment: integer milliseconds since 1970 or an RFC 3339 / ISO 8601 date-time
    /// (``Clock/milliseconds(parsing:)``). Throws `INVALID_ARGUMENT` with `path` otherwise.
    public static func time(parsing text: String, path: String = "at") throws -> DocumentPoint {
        guard let ms = Clock.milliseconds(parsing: text) else {
            throw ReactorError(.invalidArgument,
                               "'\(path)' must be milliseconds since 1970 or an RFC 3339 date-time such as 2026-01-31T12:00:00Z (got '\(text)')",
                               details: ["path": path])
        }
        return .time(ms)
    }
}
