import Foundation
import Hummingbird
import NIOCore
import ReactorCore

/// Reading request bodies and query parameters, with errors that say what was wrong.
public enum RequestDecoding {
    /// The request body parsed as JSON. An empty body is an error unless `allowEmpty`, in which case it is `{}`.
    /// A body over `limit` bytes is `PAYLOAD_TOO_LARGE` (413); malformed JSON is `BAD_REQUEST` (400).
    public static func json(_ request: Request, limit: Int, allowEmpty: Bool = false) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ReactorError(.payloadTooLarge, "the request body is larger than \(limit) bytes", details: ["limit": String(limit)])
        }
        if buffer.readableBytes == 0 {
            if allowEmpty { return .emptyObject }
            throw ReactorError(.badRequest, "the request needs a JSON body")
        }
        do {
            return try buffer.withUnsafeReadableBytes { try JSONValueCoder.parse($0) }
        } catch let error as ReactorError {
            throw ReactorError(.badRequest, error.message)
        }
    }

    /// Decodes the JSON body as `T`. Field errors are `INVALID_INPUT` with the field path.
    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int, allowEmpty: Bool = false) async throws -> T {
        let value = try await json(request, limit: limit, allowEmpty: allowEmpty)
        guard case .object = value else {
            throw ReactorError(.invalidInput, "the request body must be a JSON object, not \(value.kindName)")
        }
        return try JSONValueCoder.decode(type, from: value)
    }
}

/// Typed access to query parameters. Every failure is `INVALID_ARGUMENT` naming the parameter.
public struct QueryParameters: Sendable {
    let values: [String: [String]]

    public init(_ request: Request) {
        var values: [String: [String]] = [:]
        for (key, value) in request.uri.queryParameters {
            values[String(key), default: []].append(String(value))
        }
        self.values = values
    }

    /// The last value of `name`, if given.
    public func string(_ name: String) -> String? { values[name]?.last }

    /// The values of `name`, splitting comma-separated lists (`ids=a,b&ids=c`); nil when absent.
    public func list(_ name: String) -> [String]? {
        guard let raw = values[name] else { return nil }
        return raw.flatMap { $0.split(separator: ",").map { String($0) } }.filter { !$0.isEmpty }
    }

    /// `name` as an integer in `range`.
    public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw ReactorError(.invalidArgument, "query parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound) (got '\(raw)')", details: ["path": name])
        }
        return value
    }

    /// `name` as a 64-bit integer ≥ 0.
    public func int64(_ name: String) throws -> Int64? {
        guard let raw = string(name) else { return nil }
        guard let value = Int64(raw), value >= 0 else {
            throw ReactorError(.invalidArgument, "query parameter '\(name)' must be a non-negative integer (got '\(raw)')", details: ["path": name])
        }
        return value
    }

    /// `name` as a boolean (`true`/`false`/`1`/`0`); `defaultValue` when absent.
    public func bool(_ name: String, default defaultValue: Bool = false) throws -> Bool {
        guard let raw = string(name) else { return defaultValue }
        switch raw.lowercased() {
        case "true", "1", "yes", "": return true
        case "false", "0", "no": return false
        default:
            throw ReactorError(.invalidArgument, "query parameter '\(name)' must be true or false (got '\(raw)')", details: ["path": name])
        }
    }

    /// `name` as a number of seconds in (0, max].
    public func seconds(_ name: String, max: Double) throws -> Duration? {
        guard let raw = string(name) else { return nil }
        guard let value = Double(raw), value > 0, value <= max else {
            throw ReactorError(.invalidArgument, "query parameter '\(name)' must be a number of seconds in (0, \(Int(max))] (got '\(raw)')", details: ["path": name])
        }
        return .milliseconds(Int64(value * 1000))
    }

    /// The paging request from `cursor` and `limit` (1…1000, default 100).
    public func page() throws -> PageRequest {
        let limit = try int("limit", in: 1...PageRequest.maxLimit) ?? 100
        let cursor = string("cursor")
        let request = PageRequest(cursor: cursor, limit: limit)
        _ = try request.decodedCursor()
        return request
    }

    /// The branch (default `main`).
    public func branch() throws -> String {
        guard let branch = string("branch") else { return Branch.main }
        try Identifiers.branch.check(branch, path: "branch")
        return branch
    }

    /// A consistency token given as `consistencyToken` (the `token` string of a job).
    public func consistencyToken() throws -> ConsistencyToken? {
        guard let raw = string("consistencyToken") else { return nil }
        return try ConsistencyTokenCoding.decode(raw)
    }
}

/// The string form of a consistency token used over HTTP: base64url of its JSON.
public enum ConsistencyTokenCoding {
    /// Encodes `token` for a URL.
    public static func encode(_ token: ConsistencyToken) -> String {
        let json = (try? JSONValueCoder.encode(token))?.canonicalData ?? []
        return Base64URL.encode(json)
    }

    /// Decodes a token string; `INVALID_ARGUMENT` when it is not one.
    public static func decode(_ text: String) throws -> ConsistencyToken {
        func fail() -> ReactorError {
            ReactorError(.invalidArgument, "query parameter 'consistencyToken' is not a consistency token", details: ["path": "consistencyToken"])
        }
        guard text.utf8.count <= 65_536, let bytes = Base64URL.decode(text) else { throw fail() }
        do {
            return try JSONValueCoder.decode(ConsistencyToken.self, from: try JSONValueCoder.parse(bytes))
        } catch {
            throw fail()
        }
    }
}

extension Parameters {
    /// A required path parameter (percent-decoded).
    func required(_ name: String) throws -> String {
        guard let value = self.get(name) else {
            throw ReactorError(.badRequest, "missing path parameter '\(name)'")
        }
        return value.removingPercentEncoding ?? value
    }
}
