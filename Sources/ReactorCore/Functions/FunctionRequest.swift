/// One HTTP header field of a function's request or response: names keep their case here and are lower-cased on the
/// wire (``FunctionWire``); a name may repeat.
public struct FunctionHeader: Sendable, Hashable, Codable {
    /// The field name.
    public var name: String
    /// The field value.
    public var value: String

    /// Creates a header field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The HTTP request a function is invoked with (the trigger builds it; ``FunctionWire`` gives it to the function as
/// JSON on stdin).
public struct FunctionRequest: Sendable, Hashable {
    /// The method, upper case (`GET`, `POST`, …).
    public var method: String
    /// The path below the function's route (`/` when the request named the function only).
    public var path: String
    /// The raw query string without its `?` (empty when there is none).
    public var query: String
    /// The header fields in arrival order.
    public var headers: [FunctionHeader]
    /// The body bytes (empty when there is none).
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "GET", path: String = "/", query: String = "", headers: [FunctionHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// What a function answered: read from its stdout by ``FunctionWire/decodeResponse(_:)``.
public struct FunctionResponse: Sendable, Hashable {
    /// The HTTP status, 100–599.
    public var status: Int
    /// The header fields, in the order the function gave them (a name written with several values repeats).
    public var headers: [FunctionHeader]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int = 200, headers: [FunctionHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (compared without case), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
