extension ReactorError {
    /// The error an HTTP error answer carries: `{"error": {"code", "message", "path"?, "details"?}}`, as the server
    /// writes it (its `HTTPErrorMapping`), with `path` back among the details. Nil when `body` has no such object.
    ///
    /// A client decodes an answer with it so that a failure over HTTP has the ``code`` the same call throws in process.
    public init?(errorBody body: JSONValue) {
        guard let error = body["error"], let code = error["code"]?.stringValue else { return nil }
        var details: [String: String] = [:]
        for (key, value) in error["details"]?.objectValue ?? [:] { details[key] = value.stringValue ?? value.canonicalString }
        if let path = error["path"]?.stringValue { details["path"] = path }
        self.init(Code(code), error["message"]?.stringValue ?? code, details: details)
    }
}
