import ReactorCore

extension QueryParameters {
    /// The point of a time-travel read (`docs/time-travel.md`): `revision=global:5,document:2` or `at=<moment>`
    /// (milliseconds since 1970 or RFC 3339); nil when neither is given. Both at once, or a malformed value, is
    /// `INVALID_ARGUMENT` naming the parameter.
    public func documentPoint() throws -> DocumentPoint? {
        switch (string("revision"), string("at")) {
        case (nil, nil): return nil
        case (let revisions?, nil): return try DocumentPoint.revisions(parsing: revisions, path: "revision")
        case (nil, let at?): return try DocumentPoint.time(parsing: at, path: "at")
        case (.some, .some):
            throw ReactorError(.invalidArgument, "give either 'revision' or 'at', not both", details: ["path": "at"])
        }
    }

    /// `name`, which the request must give. `INVALID_ARGUMENT` naming it when it is absent or empty.
    public func required(_ name: String) throws -> String {
        guard let value = string(name), !value.isEmpty else { throw Self.missing(name) }
        return value
    }

    /// `name` as an integer in `range`, which the request must give.
    public func requiredInt(_ name: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = try int(name, in: range) else { throw Self.missing(name) }
        return value
    }

    private static func missing(_ name: String) -> ReactorError {
        ReactorError(.invalidArgument, "query parameter '\(name)' is required", details: ["path": name])
    }
}
