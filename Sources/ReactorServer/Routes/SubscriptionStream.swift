import Foundation
import HTTPTypes
import Hummingbird
import ReactorCore
import ReactorEngine
import Synchronization

/// What an SSE or WebSocket subscription writer sends next: a ``Subscription``'s changes, with heartbeats when idle,
/// ended by an overflow or by the expiry of the token that opened it.
final class SubscriptionStream: Sendable {
    /// One thing to send.
    enum Output: Sendable {
        case change(DocumentChange)
        case heartbeat
        /// The last output: the subscriber fell behind; resume after the position.
        case overflow(resumeAfter: Int64)
        /// The last output: the token that opened the stream expired; authenticate again and resume after the position.
        case tokenExpired(resumeAfter: Int64)
    }

    let subscription: Subscription
    /// The bearer token's `exp`, when it has one.
    let expiresAt: Date?
    /// Whether the subscriber may see a document's changes (nil: every change); asked for each change as it is sent,
    /// so a change the subscriber cannot read (now) is never sent.
    private let visible: (@Sendable (String) async -> Bool)?
    private let timers: [HeartbeatTimer]
    /// The position of the last change handed out (the stream's start before the first).
    private let sent: Mutex<(position: Int64, ended: Bool)>

    /// The longest wait for which a one-shot expiry timer is armed; beyond it every heartbeat checks the expiry.
    static let longestExpiryTimer: TimeInterval = 86_400

    /// Opens a subscription for `query` resuming after `after` (when given), with heartbeats every `heartbeat` and an
    /// end at `expiresAt`. Throws `INVALID_RESUME_POSITION` for a position this store does not have.
    init(reactor: Reactor, query: DocumentQuery, after: Int64?, bufferLimit: Int, heartbeat: Duration, expiresAt: Date?,
         visible: (@Sendable (String) async -> Bool)? = nil) async throws {
        let subscription = try await reactor.subscriptions.open(query, after: after, bufferLimit: bufferLimit)
        self.subscription = subscription
        self.expiresAt = expiresAt
        self.visible = visible
        var timers = [HeartbeatTimer(interval: heartbeat) { subscription.tick() }]
        if let expiresAt {
            let delay = expiresAt.timeIntervalSinceNow
            if delay < Self.longestExpiryTimer {
                timers.append(HeartbeatTimer(interval: .milliseconds(Int64(max(0, delay) * 1000) + 1), repeating: false) { subscription.tick() })
            }
        }
        self.timers = timers
        self.sent = Mutex((subscription.startPosition, false))
    }

    deinit { stop() }

    /// Where the stream starts (the `ready` event's id).
    var startPosition: Int64 { subscription.startPosition }

    /// The next output; nil once the stream ended (after an overflow or a token expiry, or once ``stop()`` was called).
    /// Throws when a replay cannot read the store.
    func next() async throws -> Output? {
        if sent.withLock({ $0.ended }) { return nil }
        if let ending = expiry() { return ending }
        var event = try await subscription.next()
        // Changes to documents the subscriber cannot read are passed over (their positions are safe resume points).
        while case .change(let change)? = event, let visible, await !visible(change.documentID) {
            sent.withLock { $0.position = change.position }
            event = try await subscription.next()
        }
        guard let event else { return nil }
        switch event {
        case .change(let change):
            // A change that arrives after the expiry is not sent: the client resumes before it.
            if let ending = expiry() { return ending }
            sent.withLock { $0.position = change.position }
            return .change(change)
        case .tick:
            return expiry() ?? .heartbeat
        case .overflow(let resumeAfter):
            sent.withLock { $0.ended = true }
            stopTimers()
            return .overflow(resumeAfter: resumeAfter)
        }
    }

    /// The token-expired output when the token has expired (once).
    private func expiry() -> Output? {
        guard let expiresAt, Date() >= expiresAt else { return nil }
        let position = sent.withLock { s -> Int64? in
            guard !s.ended else { return nil }
            s.ended = true
            return s.position
        }
        guard let position else { return nil }
        stop()
        return .tokenExpired(resumeAfter: position)
    }

    private func stopTimers() {
        for timer in timers { timer.stop() }
    }

    /// Ends the stream and releases the subscription.
    func stop() {
        stopTimers()
        subscription.cancel()
    }

    /// The resume position a request names: the `Last-Event-ID` header, else the `lastEventId` or `after` query
    /// parameter (EventSource resends the header when it reconnects, so the header wins over the URL's parameters).
    /// Nil when none is given; throws `INVALID_RESUME_POSITION` when it is not a non-negative integer.
    static func resumePosition(_ request: Request) throws -> Int64? {
        let query = QueryParameters(request)
        let candidates: [(String, String?)] = [
            ("Last-Event-ID", request.headers[HTTPField.Name("Last-Event-ID")!]), ("lastEventId", query.string("lastEventId")),
            ("after", query.string("after")),
        ]
        guard let (name, raw) = candidates.first(where: { !($0.1 ?? "").isEmpty }), let raw else { return nil }
        guard raw.utf8.count <= 19, raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let position = Int64(raw) else {
            throw ReactorError(.invalidResumePosition, "\(name) must be a resume position (a non-negative integer from an event id)",
                               details: ["path": name])
        }
        return position
    }
}
