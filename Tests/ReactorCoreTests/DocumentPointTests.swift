import ReactorCore
import Testing

/// The points of time-travel reads as the HTTP API and the CLI give them: revisions per scope and moments.
@Suite(.timeLimit(.minutes(1)))
struct DocumentPointTests {
    @Test func revisionsParse() throws {
        #expect(try DocumentPoint.revisions(parsing: "global:5") == .revisions([Scope.global: 5]))
        #expect(try DocumentPoint.revisions(parsing: "global:5,document:0") == .revisions([Scope.global: 5, Scope.document: 0]))
        #expect(try DocumentPoint.revisions(parsing: "global:2147483647") == .revisions([Scope.global: DocumentPoint.maxRevision]))
    }

    @Test(arguments: ["", "global", "global:", ":5", "global:-1", "global:x", "global:5,", "global:5,,local:1", "global:1:2",
                      "global:5,global:6", "global:2147483648", "global:99999999999999999999999"])
    func malformedRevisionsAreInvalidArguments(_ text: String) throws {
        let error = try #require(throws: ReactorError.self) { try DocumentPoint.revisions(parsing: text, path: "revision") }
        #expect(error.code == .invalidArgument)
        #expect(error.details["path"] == "revision")
    }

    @Test func momentsAreMillisecondsOrRFC3339() throws {
        #expect(try DocumentPoint.time(parsing: "1767225600000") == .time(1_767_225_600_000))
        #expect(try DocumentPoint.time(parsing: "0") == .time(0))
        #expect(try DocumentPoint.time(parsing: "2026-01-01T00:00:00Z") == .time(1_767_225_600_000))
        #expect(try DocumentPoint.time(parsing: "2026-01-01T00:00:00.250Z") == .time(1_767_225_600_250))
        #expect(try DocumentPoint.time(parsing: "2026-01-01T01:00:00.001+01:00") == .time(1_767_225_600_001))
        // The text Clock.iso8601 writes reads back as the same millisecond (every millisecond of a second, which a
        // conversion through a Double would round down for some).
        let now = Clock.nowMilliseconds() / 1000 * 1000
        for ms in now..<(now + 1000) {
            #expect(Clock.milliseconds(parsing: Clock.iso8601(ms)) == ms, "\(Clock.iso8601(ms))")
        }
        #expect(Clock.iso8601(1_767_225_600_250) == "2026-01-01T00:00:00.250Z")
        #expect(Clock.iso8601(-1) == "1969-12-31T23:59:59.999Z")
    }

    @Test(arguments: ["", "yesterday", "-5", "1.5", "2026-01-01", "2026-13-01T00:00:00Z", "99999999999999999999", " 1"])
    func malformedMomentsAreInvalidArguments(_ text: String) throws {
        let error = try #require(throws: ReactorError.self) { try DocumentPoint.time(parsing: text, path: "at") }
        #expect(error.code == .invalidArgument)
        #expect(error.details["path"] == "at")
    }
}
