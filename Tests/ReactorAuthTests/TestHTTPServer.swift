import Foundation
import ReactorTesting
import Hummingbird

/// Runs a real Hummingbird server on 127.0.0.1 (a free port chosen by the OS) in a task group while `body` runs,
/// then cancels it.
func withTestServer<Result: Sendable>(
    _ router: Router<BasicRequestContext>, _ body: (_ baseURL: String) async throws -> Result
) async throws -> Result {
    setenv("LOG_LEVEL", "critical", 1)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        })
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            group.cancelAll()
            throw TestServerError.noPort
        }
        do {
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// A loopback URL where nothing listens (``LoopbackPort/closed``).
func closedPortBaseURL() -> String {
    "http://127.0.0.1:\(LoopbackPort.closed)"
}

enum TestServerError: Error {
    case noPort
}

/// A JSON response.
func jsonResponse(_ status: HTTPResponse.Status, _ json: String) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
}
