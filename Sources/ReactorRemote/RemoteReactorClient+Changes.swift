import AsyncHTTPClient
import ReactorCore
import Synchronization

extension RemoteReactorClient {
    /// The changes of documents matching `query` over Server-Sent Events (`GET /subscriptions/events`), resumed after
    /// `position` when given.
    ///
    /// The first connection is made here: a refusal (`UNAUTHENTICATED`, `INVALID_RESUME_POSITION`, …) or a server that
    /// cannot be reached (`PEER_UNAVAILABLE`) throws at once. Then the events are read as they arrive, in the task
    /// that iterates. A connection that drops (a server restart, a cut connection) is made again with the
    /// configuration's ``ReconnectPolicy``, with `Last-Event-ID` = the last change delivered (or the stream's start),
    /// so that no change is lost or repeated. `overflow` throws `SUBSCRIPTION_OVERFLOW` and `token-expired` throws
    /// `TOKEN_EXPIRED`, both with `details.resumeAfter`. Ending the iteration closes the request.
    public func changes(_ query: DocumentQuery, after position: Int64?) async throws -> DocumentChanges {
        let first = FirstResponse(try await ChangeStreamReader.connect(transport, query, after: position))
        let transport = self.transport
        return DocumentChanges {
            let reader = ChangeStreamReader(transport: transport, query: query, after: position, response: first.take())
            return { try await reader.next() }
        }
    }
}

/// The response of a subscription's first connection, handed to the first iteration (a later one connects again).
final class FirstResponse: Sendable {
    private let response: Mutex<HTTPClientResponse?>

    init(_ response: HTTPClientResponse) {
        self.response = Mutex(response)
    }

    /// The response, the first time.
    func take() -> HTTPClientResponse? {
        response.withLock { response in
            defer { response = nil }
            return response
        }
    }
}
