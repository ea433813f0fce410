import AsyncHTTPClient
import Foundation
import ReactorCore

/// The keys of a remote JSON Web Key Set: fetched on first use, refetched when stale or when a token names an
/// unknown `kid`, never more often than once per minimum refresh interval.
///
/// Concurrent callers that need a fetch while one is running wait for that fetch instead of starting another.
actor JWKSCache {
    /// The outcome of the most recent fetch.
    private enum Status {
        case neverFetched
        case loaded
        case failed(ReactorError)
    }

    private let url: String
    private let httpClient: HTTPClient
    private let minimumRefreshInterval: TimeInterval
    private let maximumAge: TimeInterval
    private let timeoutMilliseconds: Int64
    private let now: @Sendable () -> Date

    private var keys: [VerificationKey] = []
    private var loadedAt: Date?
    private var lastAttempt: Date?
    private var status: Status = .neverFetched
    private var fetching = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// How many fetches were started (for tests and diagnostics).
    private(set) var fetchCount = 0

    /// The largest JWKS document read.
    static let maximumDocumentSize = 1 << 20

    init(
        url: String, httpClient: HTTPClient, minimumRefreshInterval: TimeInterval, maximumAge: TimeInterval,
        timeout: TimeInterval, now: @escaping @Sendable () -> Date
    ) {
        self.url = url
        self.httpClient = httpClient
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumAge = maximumAge
        self.timeoutMilliseconds = max(1, Int64((timeout * 1000).rounded()))
        self.now = now
    }

    /// The current keys, fetching first when none were ever loaded or they are older than the maximum age (and the
    /// minimum refresh interval allows a fetch). Throws `AUTH_UNAVAILABLE` only when no keys were ever loaded.
    func currentKeys() async throws(ReactorError) -> [VerificationKey] {
        let stale = loadedAt.map { now().timeIntervalSince($0) >= maximumAge } ?? true
        if stale && mayFetch() { await fetch() }
        if loadedAt == nil {
            if case .failed(let error) = status { throw error }
            throw ReactorError(.authUnavailable, "the JWKS at \(url) has not been loaded", isTransient: true)
        }
        return keys
    }

    /// Refetches because a token named a `kid` no key has, when the minimum refresh interval allows it.
    ///
    /// - Returns: the keys after the fetch, or `nil` when no fetch was made (too soon after the last one).
    /// - Throws: `AUTH_UNAVAILABLE` when the fetch failed.
    func refreshForUnknownKey() async throws(ReactorError) -> [VerificationKey]? {
        guard mayFetch() else { return nil }
        await fetch()
        if case .failed(let error) = status { throw error }
        return keys
    }

    /// Fetches now, whatever the refresh interval says. Throws `AUTH_UNAVAILABLE` when the fetch fails.
    func refreshNow() async throws(ReactorError) {
        await fetch()
        if case .failed(let error) = status { throw error }
    }

    private func mayFetch() -> Bool {
        if fetching { return true }
        guard let lastAttempt else { return true }
        return now().timeIntervalSince(lastAttempt) >= minimumRefreshInterval
    }

    /// Runs one fetch, or waits for the one already running.
    private func fetch() async {
        if fetching {
            await withCheckedContinuation { waiters.append($0) }
            return
        }
        fetching = true
        lastAttempt = now()
        fetchCount += 1
        do {
            keys = try await download()
            loadedAt = now()
            status = .loaded
        } catch {
            status = .failed(error)
        }
        fetching = false
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
    }

    private func download() async throws(ReactorError) -> [VerificationKey] {
        let body: [UInt8]
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await httpClient.execute(request, timeout: .milliseconds(timeoutMilliseconds))
            guard response.status.code == 200 else {
                throw ReactorError(
                    .authUnavailable, "the JWKS at \(url) answered HTTP \(response.status.code)", details: ["url": url],
                    isTransient: response.status.code >= 500)
            }
            let buffer = try await response.body.collect(upTo: Self.maximumDocumentSize)
            body = Array(buffer.readableBytesView)
        } catch let error as ReactorError {
            throw error
        } catch {
            throw ReactorError(
                .authUnavailable, "the JWKS at \(url) could not be fetched: \(error)", details: ["url": url],
                isTransient: true)
        }
        do {
            return try await VerificationKey.jwks(Data(body), source: "jwksURL").keys
        } catch {
            throw ReactorError(.authUnavailable, "the JWKS at \(url) \(error.reason)", details: ["url": url])
        }
    }
}
