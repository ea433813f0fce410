import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore

/// The HTTP requests of a ``RemoteReactorClient``: URLs, the bearer token, JSON bodies, and answers turned into JSON or
/// into the ``ReactorError`` the server's error body carries.
struct RemoteTransport: Sendable {
    let configuration: RemoteClientConfiguration
    let http: HTTPClient

    /// The largest JSON answer read.
    static let maxAnswerBytes = 64 << 20

    /// The characters left as they are in a path segment or a query value (RFC 3986 unreserved).
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `text` percent-encoded for a path segment or a query value.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// The URL of `path` (under the base URL, already escaped) with `query` (nil values left out).
    func url(_ path: String, _ query: [(String, String?)] = []) -> String {
        let items = query.compactMap { name, value in value.map { "\(name)=\(Self.escape($0))" } }
        return configuration.baseURL + path + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
    }

    /// A request to `url` with the token and, when given, a JSON body.
    func request(_ method: HTTPMethod, _ url: String, body: JSONValue? = nil, accept: String = "application/json") -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        if let token = configuration.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalData))
        }
        return request
    }

    /// Sends a request and returns its JSON answer; an error answer throws the error it carries.
    func send(_ method: HTTPMethod, _ path: String, _ query: [(String, String?)] = [], body: JSONValue? = nil) async throws -> JSONValue {
        let request = request(method, url(path, query), body: body)
        let (status, bytes): (UInt, ByteBuffer)
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(configuration.timeout.nanosecondsClamped))
            status = response.status.code
            bytes = try await response.body.collect(upTo: Self.maxAnswerBytes)
        } catch {
            throw unreachable(error)
        }
        let json = bytes.readableBytes == 0 ? JSONValue.null : ((try? JSONValueCoder.parse(bytes.readableBytesView)) ?? .null)
        guard (200..<300).contains(status) else { throw Self.failure(json, status: status, method: method, path: path) }
        return json
    }

    /// Opens a streamed answer (no deadline: it ends when the server ends it or the caller stops reading). A status
    /// other than 200 throws the error its body carries.
    func open(_ path: String, _ query: [(String, String?)], headers: [(String, String)] = []) async throws -> HTTPClientResponse {
        var request = request(.GET, url(path, query), accept: "text/event-stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .distantFuture)
        } catch {
            throw unreachable(error)
        }
        guard response.status == .ok else {
            let bytes = try? await response.body.collect(upTo: 1 << 20)
            let json = bytes.flatMap { try? JSONValueCoder.parse($0.readableBytesView) } ?? .null
            throw Self.failure(json, status: response.status.code, method: .GET, path: path)
        }
        return response
    }

    /// The error of an answer with `status`: the one its body carries, else one named after the status.
    static func failure(_ json: JSONValue, status: UInt, method: HTTPMethod, path: String) -> ReactorError {
        if let error = ReactorError(errorBody: json) { return error }
        let code: ReactorError.Code = switch status {
        case 401: .unauthenticated
        case 403: .forbidden
        case 404: .notFound
        case 502, 503, 504: .peerUnavailable
        default: .internal
        }
        return ReactorError(code, "the server answered \(method.rawValue) \(path) with HTTP \(status)", details: ["status": String(status)])
    }

    /// A request that got no answer: the task's cancellation as it is, anything else `PEER_UNAVAILABLE`.
    func unreachable(_ error: any Error) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? ReactorError { return error }
        return ReactorError(.peerUnavailable, "cannot reach the reactor server at \(configuration.baseURL): \(error)",
                            details: ["url": configuration.baseURL], isTransient: true)
    }
}

extension Duration {
    /// The duration in nanoseconds, at most `Int64.max`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return Int64.max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
