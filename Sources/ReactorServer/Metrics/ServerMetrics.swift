import Hummingbird
import Prometheus
import ReactorAI
import ReactorCore
import ReactorEngine
import Synchronization

/// The server's Prometheus metrics: HTTP requests by method, route and status with their durations, requests being
/// handled now, and jobs by final status. Rendered as Prometheus text at `/metrics`.
///
/// The registry is also what the `reactor` binary bootstraps `swift-metrics` with, so metrics of libraries show up too.
public final class ServerMetrics: Sendable {
    /// The collector registry rendered at `/metrics`.
    public let registry: PrometheusCollectorRegistry
    private let counters = Mutex<[String: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])
    /// `reactor_http_requests_in_flight`: requests whose handler has not answered yet (a `?wait=true` request counts
    /// until its job is READ_READY).
    let inFlight: Gauge
    /// Sync's per-remote series, refreshed when `/metrics` is scraped.
    let sync: SyncMetrics

    private static let buckets: [Duration] = [
        .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        inFlight = registry.makeGauge(descriptor: Self.requestsInFlight)
        sync = SyncMetrics(registry: registry)
    }

    /// Counts one finished HTTP request.
    public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        counter(Self.requests, labels).increment()
        let histogramKey = method + " " + route
        let histogram = histograms.withLock { cache in
            if let h = cache[histogramKey] { return h }
            let h = registry.makeDurationHistogram(descriptor: Self.requestDuration,
                                                   labels: [("method", method), ("route", route)], buckets: Self.buckets)
            cache[histogramKey] = h
            return h
        }
        histogram.recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Counts jobs of `reactor` as they finish (`READ_READY` or `FAILED`, with the error code).
    public func observe(_ reactor: Reactor) {
        reactor.eventBus.subscribe([.jobReadReady, .jobFailed]) { [self] event in
            switch event {
            case .jobReadReady: counter(Self.jobs, [("status", "READ_READY"), ("code", "")]).increment()
            case .jobFailed(_, let error): counter(Self.jobs, [("status", "FAILED"), ("code", error.code.rawValue)]).increment()
            default: break
            }
        }
    }

    /// Counts the AI gateway's requests as they are metered.
    public func observe(_ meter: AIUsageMeter) {
        meter.observe { [self] record in recordAI(record) }
    }

    /// Counts one AI gateway request (issue 16): `reactor_ai_requests_total` by alias, provider and outcome, and
    /// `reactor_ai_tokens_total` by alias, provider and kind (`prompt`, `completion`).
    ///
    /// Callers choose what they name, so the `alias` label is bounded to what the configuration holds: an alias, a
    /// provider's models as `provider:*`, and `-` for a name that resolved to nothing.
    public func recordAI(_ record: AIUsageRecord) {
        let alias = record.provider.isEmpty ? "-" : record.alias.hasPrefix(record.provider + ":") ? record.provider + ":*" : record.alias
        counter(Self.aiRequests, [("alias", alias), ("provider", record.provider), ("outcome", record.outcome)]).increment()
        if record.promptTokens > 0 {
            counter(Self.aiTokens, [("alias", alias), ("provider", record.provider), ("kind", "prompt")]).increment(by: Int64(record.promptTokens))
        }
        if record.completionTokens > 0 {
            counter(Self.aiTokens, [("alias", alias), ("provider", record.provider), ("kind", "completion")]).increment(by: Int64(record.completionTokens))
        }
    }

    /// The metrics in Prometheus text format.
    public func render() -> [UInt8] {
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }

    static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests by method, route and status.") }
    static var requestDuration: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", subsystem: "http", metricName: "request_duration", unitName: "seconds", helpText: "HTTP request durations.") }
    static var requestsInFlight: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", subsystem: "http", metricName: "requests", unitName: "in_flight", helpText: "HTTP requests being handled now.") }
    static var jobs: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", metricName: "jobs", unitName: "total", helpText: "Finished jobs by status and error code.") }

    static var aiRequests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", subsystem: "ai", metricName: "requests", unitName: "total", helpText: "AI gateway requests by alias, provider and outcome.") }
    static var aiTokens: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", subsystem: "ai", metricName: "tokens", unitName: "total", helpText: "AI gateway tokens by alias, provider and kind.") }

    private func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Counter {
        let key = descriptor.name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { cache in
            if let c = cache[key] { return c }
            let c = registry.makeCounter(descriptor: descriptor, labels: labels)
            cache[key] = c
            return c
        }
    }
}

/// Records every request in ``ServerMetrics`` (route = the matched route pattern, so ids do not explode labels).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    /// Counts the request as in flight until its response body is written (an SSE stream stays in flight while it
    /// streams), and records its duration at that point, not when the handler returned.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.inFlight.increment()
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            metrics.inFlight.decrement()
            throw error
        }
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let status = response.status.code
        let metrics = self.metrics
        let body = response.body
        var recorded = response
        recorded.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer {
                metrics.inFlight.decrement()
                metrics.recordRequest(method: method, route: route, status: status, duration: ContinuousClock.now - start)
            }
            try await body.write(writer)
        }
        return recorded
    }
}
