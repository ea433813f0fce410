import Hummingbird
import NIOCore
import ReactorCore

/// Builds JSON responses from ``JSONValue``s (serialised compactly with sorted keys).
public enum JSONResponse {
    /// A response with `value` as its JSON body.
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let bytes = value.canonicalData
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }

    /// A response with an `Encodable` value as its JSON body.
    public static func make<T: Encodable>(encoding value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        make(try JSONValueCoder.encode(value), status: status)
    }

    /// The error response for `error`.
    public static func error(_ error: ReactorError, extra: [String: JSONValue] = [:]) -> Response {
        var headers: HTTPFields = [:]
        let status = HTTPErrorMapping.status(for: error)
        if status == .unauthorized {
            headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
        }
        if let seconds = HTTPErrorMapping.retryAfterSeconds(for: error) {
            headers[.retryAfter] = "\(seconds)"
        }
        return make(HTTPErrorMapping.body(for: error, extra: extra), status: status, headers: headers)
    }
}
