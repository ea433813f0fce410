import Foundation
import Logging
import PostgresNIO
import ReactorCore
import Synchronization

/// The PostgreSQL ``PubSub``: LISTEN/NOTIFY, so that every node on one database sees every other node's messages.
///
/// **The listener.** ``run()`` is a long-running service (run it in a task group beside `client.run()`, like any
/// swift-service-lifecycle service): it leases one connection of the client for as long as it runs, names it
/// ``Configuration/applicationName`` and issues `LISTEN` / `UNLISTEN` on it as subscriptions of this handle come
/// and go (one `LISTEN` per channel, however many local subscriptions it has). ``withSubscription(to:_:)`` waits
/// until its channel is listened to (and, when ``run()`` has not connected yet, until it has), so the subscription
/// is active before the body runs.
///
/// **Channel names.** PostgreSQL channels are identifiers of at most 63 bytes, so a channel name maps to
/// `<prefix>_<readable>_<hash>` (see ``notificationChannel(for:)``): the configured prefix, up to 24 lower-case
/// letters and digits of the name, and 16 hex digits of its 64-bit FNV-1a hash. Every message also carries its exact
/// channel name, and the listener delivers only to subscriptions of exactly that name, so names that map to one
/// PostgreSQL channel never see each other's messages.
///
/// **Payloads.** A notification carries `1|<base64 channel>|<base64 payload>` when that fits in
/// ``Configuration/inlineLimit`` bytes (PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more). A larger message
/// is stored in `pubsub_payloads` and the notification carries `2|<base64 channel>|<row id>`, in the same statement
/// (so the row is committed with the notification); the listener fetches the row. Rows older than
/// ``Configuration/payloadRetention`` are deleted by every later large publish and by ``purgePayloads()``; a
/// listener that falls further behind than that drops the message with a warning.
///
/// **Order.** PostgreSQL delivers notifications in commit order, and each `publish` is one committed statement, so a
/// publisher that awaits each `publish` is received in its order. The listener handles notifications one at a time.
///
/// **Connection loss.** When the listening connection fails, every active subscription of this handle ends by
/// throwing a transient ``ReactorError/Code/storage`` error: notifications sent while no connection listens are
/// lost, and a subscriber must know it may have missed messages (it can resubscribe and reload its state).
/// ``run()`` reconnects after ``Configuration/reconnectDelay``; subscriptions opened meanwhile wait for it.
/// When ``run()`` ends (cancelled), every subscription ends with ``ReactorError/Code/shutdown`` and new ones are
/// refused.
public final class PostgresPubSub: PubSub {
    /// Settings of a ``PostgresPubSub``.
    public struct Configuration: Sendable {
        /// The schema of the `pubsub_payloads` table (created by ``PostgresPubSub/migrate()`` when missing). Default
        /// `public`. A lower-case identifier: `[a-z_][a-z0-9_]*`, at most 63 bytes.
        public var schema: String
        /// The prefix of the PostgreSQL channel names: `[a-z_][a-z0-9_]*`, at most 20 bytes. Default `reactor`.
        /// Handles that should see each other's messages must use the same prefix.
        public var channelPrefix: String
        /// How long large payloads stay in `pubsub_payloads`. Default 5 minutes.
        public var payloadRetention: Duration
        /// How long ``PostgresPubSub/run()`` waits before reconnecting after its connection failed. Default 1 s.
        public var reconnectDelay: Duration
        /// The `application_name` of the listening connection (shown in `pg_stat_activity`). Default
        /// `reactor-pubsub`.
        public var applicationName: String
        /// The largest notification text sent inline, in bytes; larger messages go through `pubsub_payloads`.
        /// At most 7,999 (PostgreSQL's limit). Default 7,900.
        public var inlineLimit: Int

        /// Creates settings.
        public init(
            schema: String = "public", channelPrefix: String = "reactor", payloadRetention: Duration = .seconds(300),
            reconnectDelay: Duration = .seconds(1), applicationName: String = "reactor-pubsub", inlineLimit: Int = 7_900
        ) {
            self.schema = schema
            self.channelPrefix = channelPrefix
            self.payloadRetention = payloadRetention
            self.reconnectDelay = reconnectDelay
            self.applicationName = applicationName
            self.inlineLimit = inlineLimit
        }
    }

    private enum Event: Sendable {
        case notification(sequence: UInt64, channel: String, payload: String)
        case listen(String)
        case unlisten(String)
        case closed
    }

    private struct Subscriber {
        let channel: String
        let continuation: AsyncThrowingStream<PubSubMessage, any Error>.Continuation
        /// The sequence number of the first notification this subscriber may see; `nil` while not yet listening.
        var startSequence: UInt64?
        var waiter: CheckedContinuation<Void, any Error>?
    }

    private enum Phase {
        case idle
        case connected(AsyncStream<Event>.Continuation)
        case disconnected
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        var running = false
        /// Subscribers by PostgreSQL channel, then by id.
        var subscribers: [String: [Int: Subscriber]] = [:]
        var nextSubscriberID = 0
        var nextSequence: UInt64 = 0
    }

    private let client: PostgresClient
    private let configuration: Configuration
    private let logger: Logger
    private let payloads: String
    private let state = Mutex(State())

    /// A pub/sub on `client`'s database. Call ``migrate()`` once and keep ``run()`` running.
    ///
    /// - Throws: ``ReactorError/Code/invalidArgument`` for a bad schema, prefix, limit or duration.
    public init(client: PostgresClient, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "reactor.postgres.pubsub")) throws {
        try PlatformPostgres.validateIdentifier(configuration.schema, what: "schema")
        try PlatformPostgres.validateIdentifier(configuration.channelPrefix, what: "channelPrefix")
        guard configuration.channelPrefix.utf8.count <= 20 else {
            throw ReactorError(.invalidArgument, "channelPrefix '\(configuration.channelPrefix)' is longer than 20 bytes", details: ["channelPrefix": configuration.channelPrefix])
        }
        guard (64...7_999).contains(configuration.inlineLimit) else {
            throw ReactorError(.invalidArgument, "inlineLimit must be 64…7999, got \(configuration.inlineLimit)", details: ["inlineLimit": "\(configuration.inlineLimit)"])
        }
        try PlatformDuration.validatePositive(configuration.payloadRetention, name: "payloadRetention")
        try PlatformDuration.validatePositive(configuration.reconnectDelay, name: "reconnectDelay")
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.payloads = "\"\(configuration.schema)\".pubsub_payloads"
    }

    /// Creates the schema and the `pubsub_payloads` table when they are missing. Idempotent and safe to run from
    /// several nodes at once.
    public func migrate() async throws {
        try await PlatformPostgres.migrate(client: client, lockName: "reactor.platform.pubsub:\(configuration.schema)", statements: [
            "CREATE SCHEMA IF NOT EXISTS \"\(configuration.schema)\"",
            """
            CREATE TABLE IF NOT EXISTS \(payloads) (
                id bigserial PRIMARY KEY,
                channel text NOT NULL,
                payload bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX IF NOT EXISTS pubsub_payloads_created_at ON \(payloads) (created_at)",
        ], logger: logger)
    }

    /// Deletes stored large payloads older than ``Configuration/payloadRetention``; returns how many.
    @discardableResult
    public func purgePayloads() async throws -> Int {
        let micros = PlatformDuration.microseconds(configuration.payloadRetention)
        return try await PlatformPostgres.storage("purging pub/sub payloads") {
            let rows = try await client.query("""
                WITH gone AS (
                    DELETE FROM \(unescaped: payloads) WHERE created_at < now() - \(micros)::bigint * interval '1 microsecond' RETURNING 1
                ) SELECT count(*) FROM gone
                """, logger: logger)
            var count = 0
            for try await value in rows.decode(Int64.self) { count = Int(value) }
            return count
        }
    }

    /// The PostgreSQL channel that carries the messages of `channel` (see the type's documentation).
    public func notificationChannel(for channel: String) -> String {
        Self.notificationChannel(for: channel, prefix: configuration.channelPrefix)
    }

    static func notificationChannel(for channel: String, prefix: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in channel.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let readable = String(String.UnicodeScalarView(channel.lowercased().unicodeScalars.filter {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9")
        }.prefix(24)))
        let hex = String(hash, radix: 16)
        return "\(prefix)_\(readable)_\(String(repeating: "0", count: 16 - hex.count))\(hex)"
    }

    // MARK: Publishing

    public func publish(_ payload: [UInt8], to channel: String) async throws {
        try PlatformName.validate(channel, kind: "channel")
        let notificationChannel = notificationChannel(for: channel)
        let encodedChannel = Data(channel.utf8).base64EncodedString()
        let inline = "1|\(encodedChannel)|\(Data(payload).base64EncodedString())"
        if inline.utf8.count <= configuration.inlineLimit {
            try await PlatformPostgres.storage("publishing to '\(channel)'") {
                try await client.query("SELECT pg_notify(\(notificationChannel), \(inline))", logger: logger)
            }
            return
        }
        let reference = "2|\(encodedChannel)|"
        let micros = PlatformDuration.microseconds(configuration.payloadRetention)
        try await PlatformPostgres.storage("publishing a large payload to '\(channel)'") {
            try await client.query("""
                WITH stored AS (
                    INSERT INTO \(unescaped: payloads) (channel, payload) VALUES (\(channel), \(PlatformPostgres.buffer(payload))) RETURNING id
                ) SELECT pg_notify(\(notificationChannel), \(reference) || id::text) FROM stored
                """, logger: logger)
            try await client.query("""
                DELETE FROM \(unescaped: payloads) WHERE created_at < now() - \(micros)::bigint * interval '1 microsecond'
                """, logger: logger)
        }
    }

    // MARK: Subscribing

    public func withSubscription<T: Sendable>(
        to channel: String, _ body: @Sendable (PubSubSubscription) async throws -> T
    ) async throws -> T {
        try PlatformName.validate(channel, kind: "channel")
        let notificationChannel = notificationChannel(for: channel)
        let (subscription, continuation) = PubSubSubscription.makeSubscription(channel: channel)
        let id = state.withLock { state in
            state.nextSubscriberID += 1
            return state.nextSubscriberID
        }
        do {
            try await waitUntilListening(id: id, channel: channel, notificationChannel: notificationChannel, continuation: continuation)
        } catch {
            unsubscribe(id: id, notificationChannel: notificationChannel, continuation: continuation)
            throw error
        }
        defer { unsubscribe(id: id, notificationChannel: notificationChannel, continuation: continuation) }
        return try await body(subscription)
    }

    private func waitUntilListening(
        id: Int, channel: String, notificationChannel: String, continuation: AsyncThrowingStream<PubSubMessage, any Error>.Continuation
    ) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                let failure: (any Error)? = state.withLock { state in
                    if case .stopped = state.phase { return Self.stoppedError() }
                    if Task.isCancelled { return CancellationError() }
                    state.subscribers[notificationChannel, default: [:]][id] = Subscriber(
                        channel: channel, continuation: continuation, startSequence: nil, waiter: waiter)
                    if case .connected(let inbox) = state.phase { inbox.yield(.listen(notificationChannel)) }
                    return nil
                }
                if let failure { waiter.resume(throwing: failure) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let waiter = state.subscribers[notificationChannel]?[id]?.waiter else { return nil }
                state.subscribers[notificationChannel]?[id]?.waiter = nil
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func unsubscribe(id: Int, notificationChannel: String, continuation: AsyncThrowingStream<PubSubMessage, any Error>.Continuation) {
        state.withLock { state in
            guard state.subscribers[notificationChannel]?.removeValue(forKey: id) != nil else { return }
            guard state.subscribers[notificationChannel]?.isEmpty == true else { return }
            state.subscribers[notificationChannel] = nil
            if case .connected(let inbox) = state.phase { inbox.yield(.unlisten(notificationChannel)) }
        }
        continuation.finish()
    }

    private static func stoppedError() -> ReactorError {
        ReactorError(.shutdown, "the PostgreSQL pub/sub listener has stopped (run() ended)")
    }

    // MARK: The listener

    /// Runs the listener until the task is cancelled; see the type's documentation. Returns when cancelled.
    ///
    /// - Throws: ``ReactorError/Code/unsupported`` when this handle's `run()` is already running or has ended.
    public func run() async throws {
        let started = state.withLock { state -> Bool in
            guard !state.running, case .idle = state.phase else { return false }
            state.running = true
            return true
        }
        guard started else {
            throw ReactorError(.unsupported, "PostgresPubSub.run() can run once per handle; it is running or has ended")
        }
        defer { stop() }
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await self.serve(connection)
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("pub/sub listening connection failed; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            // Cancelled: stop() ends the subscriptions with SHUTDOWN; otherwise the connection was lost.
            if Task.isCancelled { break }
            disconnect()
            do { try await Task.sleep(for: configuration.reconnectDelay) } catch { break }
        }
    }

    private func serve(_ leased: PostgresConnection) async throws {
        let connection = WatchedConnection.watch(leased)
        try await connection.query("SELECT set_config('application_name', \(configuration.applicationName), false)", logger: logger)
        let (inbox, inboxContinuation) = AsyncStream.makeStream(of: Event.self)
        leased.closeFuture.whenComplete { _ in inboxContinuation.yield(.closed) }
        let pending = state.withLock { state -> [String] in
            state.phase = .connected(inboxContinuation)
            return Array(state.subscribers.keys)
        }
        for channel in pending { inboxContinuation.yield(.listen(channel)) }
        var listeners: [String: PostgresListenContext] = [:]
        defer {
            for listener in listeners.values { listener.stop() }
            inboxContinuation.finish()
        }
        for await event in inbox {
            switch event {
            case .closed:
                throw ReactorError(.storage, "the pub/sub listening connection closed", isTransient: true)
            case .listen(let channel):
                if listeners[channel] == nil {
                    listeners[channel] = leased.addListener(channel: channel) { [self] _, notification in
                        state.withLock { state in
                            let sequence = state.nextSequence
                            state.nextSequence += 1
                            inboxContinuation.yield(.notification(sequence: sequence, channel: notification.channel, payload: notification.payload))
                        }
                    }
                }
                // Once the session lists the channel, LISTEN is active and every notification that reached the
                // connection before has a sequence number below the one the new subscribers start at.
                try await waitUntilListed(channel, on: connection)
                activate(channel)
            case .unlisten(let channel):
                let unused = state.withLock { $0.subscribers[channel]?.isEmpty ?? true }
                if unused, let listener = listeners.removeValue(forKey: channel) { listener.stop() }
            case .notification(let sequence, let channel, let payload):
                guard let message = try await decode(payload, on: connection) else { continue }
                deliver(message, sequence: sequence, notificationChannel: channel)
            }
        }
    }

    /// Returns once the session listens to `channel`. A round trip alone is not enough: when the channel's previous
    /// listener was just stopped, postgres-nio sends the new `LISTEN` only after the `UNLISTEN` has completed, which can
    /// be after a query sent meanwhile. Queries run in order, so the first answer that lists the channel comes after
    /// the `UNLISTEN` and the new `LISTEN`.
    private func waitUntilListed(_ channel: String, on connection: WatchedConnection) async throws {
        for attempt in 0..<200 {
            let result = try await connection.query(
                "SELECT count(*)::int8 FROM pg_listening_channels() AS c(name) WHERE c.name = \(channel)", logger: logger)
            let listed = try result.rows.first.map { try $0.decode(Int64.self) } ?? 0
            if listed > 0 { return }
            try await Task.sleep(for: .milliseconds(min(1 + attempt, 25)))
        }
        throw ReactorError(.storage, "the pub/sub connection did not start listening to a channel", isTransient: true)
    }

    private func activate(_ notificationChannel: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard let subscribers = state.subscribers[notificationChannel] else { return [] }
            var waiters: [CheckedContinuation<Void, any Error>] = []
            for (id, subscriber) in subscribers where subscriber.startSequence == nil {
                state.subscribers[notificationChannel]?[id]?.startSequence = state.nextSequence
                if let waiter = subscriber.waiter { waiters.append(waiter) }
                state.subscribers[notificationChannel]?[id]?.waiter = nil
            }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func deliver(_ message: PubSubMessage, sequence: UInt64, notificationChannel: String) {
        state.withLock { state in
            for subscriber in state.subscribers[notificationChannel, default: [:]].values
            where subscriber.channel == message.channel && (subscriber.startSequence.map { $0 <= sequence } ?? false) {
                subscriber.continuation.yield(message)
            }
        }
    }

    /// The message a notification carries, fetching a stored payload; `nil` (logged) for one that cannot be read.
    private func decode(_ text: String, on connection: WatchedConnection) async throws -> PubSubMessage? {
        let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let channelData = Data(base64Encoded: String(parts[1])) else {
            logger.warning("ignoring a notification that is not a pub/sub message", metadata: ["payload": "\(text.prefix(80))"])
            return nil
        }
        let channel = String(decoding: channelData, as: UTF8.self)
        switch parts[0] {
        case "1":
            guard let payload = Data(base64Encoded: String(parts[2])) else { break }
            return PubSubMessage(channel: channel, payload: Array(payload))
        case "2":
            guard let id = Int64(parts[2]) else { break }
            let result = try await connection.query("SELECT payload FROM \(unescaped: payloads) WHERE id = \(id)", logger: logger)
            let payload = try result.rows.first.map { PlatformPostgres.bytes(try $0.decode(ByteBuffer.self)) }
            guard let payload else {
                logger.warning("dropping a pub/sub message whose stored payload is gone (purged?)", metadata: ["channel": "\(channel)", "id": "\(id)"])
                return nil
            }
            return PubSubMessage(channel: channel, payload: payload)
        default:
            break
        }
        logger.warning("ignoring a malformed pub/sub notification", metadata: ["payload": "\(text.prefix(80))"])
        return nil
    }

    /// After the connection failed: active subscriptions end with an error, pending ones wait for the next one.
    private func disconnect() {
        let ended = state.withLock { state -> [AsyncThrowingStream<PubSubMessage, any Error>.Continuation] in
            if case .stopped = state.phase { return [] }
            state.phase = .disconnected
            var ended: [AsyncThrowingStream<PubSubMessage, any Error>.Continuation] = []
            for (channel, subscribers) in state.subscribers {
                for (id, subscriber) in subscribers where subscriber.startSequence != nil {
                    ended.append(subscriber.continuation)
                    state.subscribers[channel]?[id] = nil
                }
                if state.subscribers[channel]?.isEmpty == true { state.subscribers[channel] = nil }
            }
            return ended
        }
        let error = ReactorError(
            .storage, "the PostgreSQL pub/sub connection was lost; messages published meanwhile may have been missed", isTransient: true)
        for continuation in ended { continuation.finish(throwing: error) }
    }

    /// After run() ended: every subscription ends, new ones are refused.
    private func stop() {
        let (continuations, waiters) = state.withLock { state in
            state.phase = .stopped
            state.running = false
            let all = state.subscribers.values.flatMap(\.values)
            state.subscribers = [:]
            return (all.map(\.continuation), all.compactMap(\.waiter))
        }
        for waiter in waiters { waiter.resume(throwing: Self.stoppedError()) }
        for continuation in continuations { continuation.finish(throwing: Self.stoppedError()) }
    }
}
