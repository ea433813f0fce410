import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorConfig
import ReactorCore
import ReactorEngine

/// The client side of a sync channel over HTTP: calls a peer reactor's `/reactor/v1/sync/channels/{channelId}…`
/// endpoints with the remote's bearer token.
///
/// Failures become the errors ``SyncChannel`` promises: 401 and 403 are `PEER_REFUSED` (the remote stops in the
/// `error` state); a 404 whose code is `CHANNEL_NOT_FOUND` is that code (the channel is registered again); any other
/// 4xx is the peer's own error (`{"error": {"code", "message"}}` with its code); 5xx, timeouts, refused and broken
/// connections are `PEER_UNAVAILABLE` with `isTransient` (retried with backoff). Every request has a deadline
/// (``SyncConfig/requestTimeout``, plus the long-poll wait for a pull) and every response body a size limit.
///
/// The channel uses the `HTTPClient` it is given (by default ``sharedClient``) and never creates one, so there is
/// nothing to shut down.
public struct HTTPSyncChannel: SyncChannel {
    /// The peer's base URL without a trailing slash (`http://host:port`, or with a path prefix).
    public let baseURL: String
    /// The bearer token sent to the peer (resolved: never a reference).
    let token: String?
    /// How long one request may take (a pull adds its long-poll wait).
    public let requestTimeout: Duration
    /// The largest response body read; a larger one fails with `PAYLOAD_TOO_LARGE`.
    public let maxResponseBytes: Int
    /// The remote's name, for error details.
    public let remoteName: String?
    private let client: HTTPClient

    /// The client channels use unless given one: like `HTTPClient.shared`, but a refused connection fails at once
    /// (`PEER_UNAVAILABLE`, retried by the remote's backoff) instead of being retried until the request's deadline.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The default response limit: 64 MiB (a page of whole jobs may be large).
    public static let defaultMaxResponseBytes = 64 << 20

    public init(
        baseURL: String, token: String?, requestTimeout: Duration = .seconds(60), maxResponseBytes: Int = defaultMaxResponseBytes,
        remoteName: String? = nil, client: HTTPClient = HTTPSyncChannel.sharedClient
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
        self.remoteName = remoteName
        self.client = client
    }

    /// The channel of `remote`, its token resolved with `resolver` (a literal, `env:NAME` or `vault:path`).
    public init(remote: SyncRemote, config: SyncConfig, resolver: SecretResolver, client: HTTPClient = HTTPSyncChannel.sharedClient) async throws {
        var token: String?
        if let reference = remote.channel.token { token = try await resolver.resolve(reference, key: "sync remote '\(remote.name)' token") }
        self.init(baseURL: remote.channel.url, token: token, requestTimeout: config.requestTimeout, remoteName: remote.name, client: client)
    }

    /// The channel of `remote` with a literal token or an `env:NAME` one read from `environment` (a `vault:` token
    /// needs the server's vault: use ``factory(config:resolver:client:)``).
    public init(
        remote: SyncRemote, config: SyncConfig = SyncConfig(), environment: [String: String] = ProcessInfo.processInfo.environment,
        client: HTTPClient = HTTPSyncChannel.sharedClient
    ) throws {
        var token: String?
        switch remote.channel.token.map(SecretReference.init) {
        case nil: token = nil
        case .literal(let text): token = text
        case .environment(let name):
            guard let value = environment[name] else {
                throw ReactorError(.configInvalid, "sync remote '\(remote.name)' token: environment variable \(name) is not set",
                                   details: ["remote": remote.name])
            }
            token = value
        case .vault:
            throw ReactorError(.unsupported, "sync remote '\(remote.name)' token: a vault: reference needs the server's vault (HTTPSyncChannel.factory)",
                               details: ["remote": remote.name])
        }
        self.init(baseURL: remote.channel.url, token: token, requestTimeout: config.requestTimeout, remoteName: remote.name, client: client)
    }

    /// The factory ``ReactorBuilder/withSyncChannels(_:)`` takes: an HTTP channel per remote, tokens resolved with
    /// `resolver` each time a remote connects (so a rotated `vault:` or `env:` secret is picked up on reconnect).
    public static func factory(config: SyncConfig, resolver: SecretResolver, client: HTTPClient = HTTPSyncChannel.sharedClient) -> SyncManager.ChannelFactory {
        { remote in try await HTTPSyncChannel(remote: remote, config: config, resolver: resolver, client: client) }
    }

    // MARK: SyncChannel

    public func register(_ registration: SyncChannelRegistration) async throws -> SyncChannelAccepted {
        try await call(.PUT, channelPath(registration.channelID), body: registration, timeout: requestTimeout)
    }

    public func push(_ envelope: SyncEnvelope, channelID: String) async throws -> SyncAck {
        try await call(.POST, channelPath(channelID) + "/envelopes", body: envelope, timeout: requestTimeout)
    }

    public func pull(channelID: String, after cursor: Int64, limit: Int, wait: Duration) async throws -> SyncPage {
        let waitMilliseconds = max(0, wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        let seconds = String(format: "%.3f", Double(waitMilliseconds) / 1000)
        let path = channelPath(channelID) + "/operations?after=\(cursor)&limit=\(limit)&wait=\(seconds)"
        return try await call(.GET, path, body: Optional<SyncAck>.none, timeout: requestTimeout + .milliseconds(waitMilliseconds))
    }

    // MARK: Requests

    private func channelPath(_ channelID: String) -> String {
        let encoded = channelID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? channelID
        return "/reactor/v1/sync/channels/\(encoded)"
    }

    private func call<Body: Encodable, Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, body: Body?, timeout: Duration
    ) async throws -> Answer {
        let url = baseURL + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            let bytes = try JSONValueCoder.encode(body).canonicalData
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let status: Int
        let answer: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: TimeAmount.nanoseconds(Self.nanoseconds(timeout)))
            status = Int(response.status.code)
            do {
                answer = try await response.body.collect(upTo: maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw ReactorError(.payloadTooLarge, "the peer's answer to \(method.rawValue) \(path) is larger than \(maxResponseBytes) bytes",
                                   details: details(["limit": String(maxResponseBytes)]))
            }
        } catch let error as ReactorError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw ReactorError(.peerUnavailable, "\(baseURL) could not be reached (\(method.rawValue) \(path)): \(error)",
                               details: details([:]), isTransient: true)
        }
        let bytes = Array(answer.readableBytesView)
        switch status {
        case 200..<300:
            do {
                return try JSONValueCoder.decode(Answer.self, from: try JSONValueCoder.parse(bytes))
            } catch {
                throw ReactorError(.peerUnavailable, "\(baseURL) answered \(method.rawValue) \(path) with a body that is not a \(Answer.self): \(error)",
                                   details: details(["status": String(status)]), isTransient: true)
            }
        case 401, 403:
            let peer = Self.peerError(bytes)
            throw ReactorError(.peerRefused, "\(baseURL) refused this reactor's credentials (HTTP \(status)\(peer.map { ": \($0.code.rawValue) \($0.message)" } ?? ""))",
                               details: details(["status": String(status)]))
        case 400..<500:
            guard let peer = Self.peerError(bytes) else {
                throw ReactorError(.peerUnavailable, "\(baseURL) answered \(method.rawValue) \(path) with HTTP \(status) and no error body",
                                   details: details(["status": String(status)]), isTransient: status == 408 || status == 429)
            }
            if status == 404, peer.code != .channelNotFound {
                // Not a channel the peer forgot: the peer has no such route (not a reactor, or sync is off there).
                throw ReactorError(peer.code, "\(baseURL) answered \(method.rawValue) \(path) with HTTP 404: \(peer.message)",
                                   details: details(["status": String(status)]).merging(peer.details) { a, _ in a })
            }
            throw ReactorError(peer.code, peer.message, details: details(["status": String(status)]).merging(peer.details) { a, _ in a },
                               isTransient: status == 408 || status == 429)
        default:
            let peer = Self.peerError(bytes)
            throw ReactorError(.peerUnavailable, "\(baseURL) answered \(method.rawValue) \(path) with HTTP \(status)\(peer.map { " (\($0.code.rawValue): \($0.message))" } ?? "")",
                               details: details(["status": String(status)]), isTransient: true)
        }
    }

    private func details(_ extra: [String: String]) -> [String: String] {
        var out = extra
        if let remoteName { out["remote"] = remoteName }
        return out
    }

    /// The peer's `{"error": {"code", "message", "details"?}}`, when the body is one.
    static func peerError(_ bytes: [UInt8]) -> (code: ReactorError.Code, message: String, details: [String: String])? {
        guard let json = try? JSONValueCoder.parse(bytes), let error = json["error"],
              let code = error["code"]?.stringValue, !code.isEmpty, code.utf8.count <= 64 else { return nil }
        var details: [String: String] = [:]
        for (key, value) in error["details"]?.objectValue ?? [:] { if let text = value.stringValue { details[key] = text } }
        if let path = error["path"]?.stringValue { details["path"] = path }
        let message = String((error["message"]?.stringValue ?? code).prefix(2_000))
        return (ReactorError.Code(code), message, details)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow ? Int64.max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
