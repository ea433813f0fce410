import AsyncHTTPClient
import ReactorCore

/// Reads one iteration of a remote subscription: the SSE events of the open response, parsed as the bytes arrive,
/// turned into ``DocumentChange``s; reconnects after a dropped connection, resuming after the last change delivered.
///
/// Not `Sendable`: only the iterating task uses it (it holds the response body's iterator). Releasing it releases the
/// body, which closes the request.
final class ChangeStreamReader {
    private let transport: RemoteTransport
    private let query: DocumentQuery
    /// The resume position: the last change delivered, else the stream's start (the `ready` event's id).
    private var position: Int64?
    private var body: HTTPClientResponse.Body.AsyncIterator?
    private var parser = ServerSentEventParser()
    private var events: [ServerSentEvent] = []
    private var ended = false

    /// The errors after which a subscription connects again: no answer, or a server that is stopping or busy.
    static let retriedCodes: Set<ReactorError.Code> = [
        .peerUnavailable, .shutdown, .shutdownDeadline, .overloaded, .tooManyConnections, .storageUnavailable,
    ]

    init(transport: RemoteTransport, query: DocumentQuery, after position: Int64?, response: HTTPClientResponse?) {
        self.transport = transport
        self.query = query
        self.position = position
        self.body = response?.body.makeAsyncIterator()
    }

    /// Opens the event stream of `query` after `position`.
    static func connect(_ transport: RemoteTransport, _ query: DocumentQuery, after position: Int64?) async throws -> HTTPClientResponse {
        try await transport.open("/reactor/v1/subscriptions/events", RemoteReactorClient.parameters(query),
                                 headers: position.map { [("Last-Event-ID", String($0))] } ?? [])
    }

    /// The next change; nil once ended. Throws at an overflow or a token expiry, when reconnecting failed for good, or
    /// when the task was cancelled.
    func next() async throws -> DocumentChange? {
        while !ended {
            guard let event = try await nextEvent() else { continue }
            switch event.name {
            case "ready":
                if position == nil { position = event.id.flatMap { Int64($0) } }
            case "change":
                let change = try WireFormat.change(try JSONValueCoder.parse(event.data))
                // Defensive: the server resumes after the position, so nothing at or below it comes again.
                if let position, change.position <= position { continue }
                position = change.position
                return change
            case "overflow":
                throw end(ReactorError(.subscriptionOverflow, "the subscriber fell behind; resume after position \(resumeAfter(event))",
                                       details: ["resumeAfter": resumeAfter(event)]))
            case "token-expired":
                throw end(ReactorError(.tokenExpired, "the token that opened the subscription expired; authenticate again and resume after position \(resumeAfter(event))",
                                       details: ["resumeAfter": resumeAfter(event)]))
            default:
                continue
            }
        }
        return nil
    }

    /// The next complete event; nil when none is complete yet or the connection dropped (the next call reconnects).
    private func nextEvent() async throws -> ServerSentEvent? {
        if !events.isEmpty { return events.removeFirst() }
        if body == nil { try await reconnect() }
        guard var iterator = body else { return nil }
        do {
            let chunk = try await iterator.next()
            body = iterator
            guard let chunk else {
                dropConnection()
                return nil
            }
            events = parser.feed(chunk.readableBytesView)
            return events.isEmpty ? nil : events.removeFirst()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            dropConnection()
            return nil
        }
    }

    /// Forgets the connection and any event it left half sent.
    private func dropConnection() {
        body = nil
        parser = ServerSentEventParser()
    }

    /// Connects again after the policy's delays, resuming after ``position``.
    private func reconnect() async throws {
        let policy = transport.configuration.reconnect
        var attempt = 0
        while true {
            attempt += 1
            if let most = policy.maxAttempts, attempt > most {
                throw end(ReactorError(.peerUnavailable, "the subscription could not reconnect to \(transport.configuration.baseURL) in \(most) attempts; resume after position \(position ?? 0)",
                                       details: ["resumeAfter": String(position ?? 0)]))
            }
            try await policy.sleep(policy.delay(before: attempt))
            do {
                body = try await Self.connect(transport, query, after: position).body.makeAsyncIterator()
                return
            } catch let error as ReactorError where Self.retriedCodes.contains(error.code) {
                continue
            } catch {
                throw end(error)
            }
        }
    }

    private func end(_ error: any Error) -> any Error {
        ended = true
        body = nil
        return error
    }

    private func resumeAfter(_ event: ServerSentEvent) -> String {
        (try? JSONValueCoder.parse(event.data))?["resumeAfter"]?.stringValue ?? String(position ?? 0)
    }
}
