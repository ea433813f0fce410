import NIOCore
import ReactorCore

/// A complete HTTP/1.1 error response written as bytes by ``ConnectionGuard``, for answers given before (or instead
/// of) a request reaching the router: the status from ``HTTPErrorMapping``, the JSON error body of every other
/// error, and `Connection: close`.
enum ConnectionAnswer {
    /// The bytes of the response to `error`, with `headers` (name, value) added.
    static func bytes(for error: ReactorError, headers: [(String, String)] = []) -> ByteBuffer {
        let status = HTTPErrorMapping.status(for: error)
        var body = HTTPErrorMapping.body(for: error).canonicalData
        body.append(UInt8(ascii: "\n"))
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        head += "content-type: application/json; charset=utf-8\r\n"
        head += "content-length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "connection: close\r\n\r\n"
        var buffer = ByteBuffer(string: head)
        buffer.writeBytes(body)
        return buffer
    }
}
