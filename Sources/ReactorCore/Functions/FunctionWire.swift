import Foundation

/// The JSON a function reads and writes (`docs/functions.md`): one place, so every runtime speaks exactly the same
/// contract.
///
/// **Request** (stdin), one JSON object, keys in canonical order:
/// `{"body": "…", "headers": {"content-type": "…"}, "method": "POST", "path": "/orders/7", "query": "a=1"}`.
/// Header names are lower-cased; a name that repeats has its values joined with `", "`. A body that is valid UTF-8
/// is `body` (a string); any other body is `bodyBase64` (standard base64) instead; an empty body is `"body": ""`.
///
/// **Response** (stdout), one JSON object: `status` (an integer, 100–599, required), `headers` (an object whose
/// values are strings or arrays of strings, optional), and at most one of `body` (a string, sent as UTF-8),
/// `bodyBase64` (standard base64) or `json` (any JSON value, sent as JSON with `content-type: application/json`
/// unless `headers` names another). Other keys are refused, so a misspelt key is an error rather than ignored.
public enum FunctionWire {
    /// The request as the function reads it on stdin.
    public static func encodeRequest(_ request: FunctionRequest) -> [UInt8] {
        var object: [String: JSONValue] = [
            "method": .string(request.method),
            "path": .string(request.path),
            "query": .string(request.query),
            "headers": .object(joinedHeaders(request.headers).mapValues { .string($0) }),
        ]
        if let text = String(validating: request.body, as: UTF8.self) {
            object["body"] = .string(text)
        } else {
            object["bodyBase64"] = .string(Data(request.body).base64EncodedString())
        }
        return JSONValue.object(object).canonicalData
    }

    /// The headers as the function sees them: lower-cased names, repeated names joined with `", "` in order.
    public static func joinedHeaders(_ headers: [FunctionHeader]) -> [String: String] {
        var joined: [String: String] = [:]
        for header in headers {
            let name = header.name.lowercased()
            if let existing = joined[name] {
                joined[name] = existing + ", " + header.value
            } else {
                joined[name] = header.value
            }
        }
        return joined
    }

    /// Reads the response a function wrote to stdout. Throws ``ReactorError/Code/functionBadResponse`` saying what is
    /// wrong.
    public static func decodeResponse(_ stdout: [UInt8]) throws(ReactorError) -> FunctionResponse {
        if stdout.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw bad("the function wrote no response to stdout")
        }
        let value: JSONValue
        do {
            value = try JSONValueCoder.parse(stdout)
        } catch {
            let reason = (error as? ReactorError)?.message ?? "\(error)"
            throw bad("stdout is not a JSON response: \(reason)")
        }
        guard case .object(let object) = value else {
            throw bad("the response must be a JSON object, not \(value.kindName)")
        }
        let known: Set<String> = ["status", "headers", "body", "bodyBase64", "json"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw bad("unknown field '\(unknown)' in the response (expected status, headers, body, bodyBase64 or json)")
        }
        guard let statusValue = object["status"] else { throw bad("the response has no 'status'") }
        guard case .number(let number) = statusValue, number.rounded() == number, number >= 100, number <= 599 else {
            throw bad("'status' must be an integer from 100 to 599")
        }
        var headers: [FunctionHeader] = []
        if let headersValue = object["headers"] {
            guard case .object(let fields) = headersValue else { throw bad("'headers' must be an object") }
            for name in fields.keys.sorted() {
                guard isToken(name) else { throw bad("'\(name)' is not a valid header name") }
                let values: [JSONValue]
                switch fields[name]! {
                case .string: values = [fields[name]!]
                case .array(let items): values = items
                default: throw bad("header '\(name)' must be a string or an array of strings")
                }
                for item in values {
                    guard case .string(let text) = item else { throw bad("header '\(name)' must be a string or an array of strings") }
                    guard isFieldValue(text) else { throw bad("header '\(name)' has a control character in its value") }
                    headers.append(FunctionHeader(name, text))
                }
            }
        }
        let bodies = ["body", "bodyBase64", "json"].filter { object[$0] != nil }
        guard bodies.count <= 1 else { throw bad("the response has both '\(bodies[0])' and '\(bodies[1])'") }
        var body: [UInt8] = []
        switch bodies.first ?? "" {
        case "body":
            guard case .string(let text) = object["body"]! else { throw bad("'body' must be a string (use 'json' for a JSON value)") }
            body = Array(text.utf8)
        case "bodyBase64":
            guard case .string(let text) = object["bodyBase64"]!, let data = Data(base64Encoded: text) else {
                throw bad("'bodyBase64' must be a string in standard base64")
            }
            body = Array(data)
        case "json":
            body = object["json"]!.canonicalData
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(FunctionHeader("content-type", "application/json"))
            }
        default:
            break
        }
        return FunctionResponse(status: Int(number), headers: headers, body: body)
    }

    /// A response as a function would write it to stdout: `status`, `headers` (a repeated name as an array) and
    /// `body` (or `bodyBase64` when the body is not UTF-8). ``decodeResponse(_:)`` reads back the same status and body,
    /// and the same headers grouped by name in name order.
    public static func encodeResponse(_ response: FunctionResponse) -> [UInt8] {
        var headers: [String: JSONValue] = [:]
        for header in response.headers {
            switch headers[header.name] {
            case .string(let first): headers[header.name] = .array([.string(first), .string(header.value)])
            case .array(let values): headers[header.name] = .array(values + [.string(header.value)])
            default: headers[header.name] = .string(header.value)
            }
        }
        var object: [String: JSONValue] = ["status": .number(Double(response.status))]
        if !headers.isEmpty { object["headers"] = .object(headers) }
        if let text = String(validating: response.body, as: UTF8.self) {
            object["body"] = .string(text)
        } else {
            object["bodyBase64"] = .string(Data(response.body).base64EncodedString())
        }
        return JSONValue.object(object).canonicalData
    }

    /// Splits stderr into log lines: `\n` ends a line (a `\r` before it is dropped), a last line without one is kept.
    public static func logLines(_ stderr: [UInt8]) -> [String] {
        guard !stderr.isEmpty else { return [] }
        var lines = stderr.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.last == 0x0D ? line.dropLast() : line[...]
            return String(decoding: trimmed, as: UTF8.self)
        }
        if stderr.last == 0x0A { lines.removeLast() }
        return lines
    }

    private static func bad(_ message: String) -> ReactorError {
        ReactorError(.functionBadResponse, message)
    }

    /// An RFC 9110 token (a field name).
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// A field value without CR, LF, NUL or other control characters but horizontal tab.
    private static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }
}
