import Prometheus
import ReactorCore
import ReactorEngine
import Synchronization

/// Sync's gauges and counters on `/metrics`, read from ``SyncManager/status(_:)`` when `/metrics` is scraped:
///
/// - `reactor_sync_remote_state{remote, state}`: 1 for the remote's current connection state, 0 for the others;
/// - `reactor_sync_push_cursor{remote}`, `reactor_sync_pull_cursor{remote}`: the cursors;
/// - `reactor_sync_push_lag{remote}`: this reactor's ready operations not yet acknowledged by the remote;
/// - `reactor_sync_dead_letters{remote}`: operations from the remote on the dead-letter list;
/// - `reactor_sync_quarantined_documents{remote}`: documents quarantined for the remote;
/// - `reactor_sync_pushed_operations_total{remote}`, `reactor_sync_pulled_operations_total{remote}`: operations
///   exchanged since the process started.
///
/// A removed remote's series disappear at the next scrape.
final class SyncMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry

    private struct Series {
        var states: [SyncConnectionState: Gauge] = [:]
        var gauges: [String: Gauge] = [:]
        var counters: [String: (counter: Counter, value: Int)] = [:]
    }

    private let series = Mutex<[String: Series]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Reads every remote's status and updates the series.
    func refresh(_ sync: SyncManager) async {
        var statuses: [SyncRemoteStatus] = []
        for remote in (try? await sync.remotes()) ?? [] {
            if let status = try? await sync.status(remote.name) { statuses.append(status) }
        }
        let registry = self.registry
        series.withLock { all in
            let names = Set(statuses.map(\.remote.name))
            for (name, gone) in all where !names.contains(name) {
                gone.states.values.forEach { registry.unregisterGauge($0) }
                gone.gauges.values.forEach { registry.unregisterGauge($0) }
                gone.counters.values.forEach { registry.unregisterCounter($0.counter) }
                all[name] = nil
            }
            for status in statuses {
                let name = status.remote.name
                var s = all[name] ?? Series()
                let labels = [("remote", name)]
                for state in SyncConnectionState.allCases {
                    let gauge = s.states[state] ?? registry.makeGauge(descriptor: Self.state, labels: labels + [("state", state.rawValue)])
                    s.states[state] = gauge
                    gauge.set(state == status.state ? 1.0 : 0.0)
                }
                let values: [(MetricNameDescriptor, Int64)] = [
                    (Self.pushCursor, status.pushCursor), (Self.pullCursor, status.pullCursor), (Self.pushLag, status.pushLag),
                    (Self.deadLetters, Int64(status.deadLetters)), (Self.quarantined, Int64(status.quarantined.count)),
                ]
                for (descriptor, value) in values {
                    let gauge = s.gauges[descriptor.name] ?? registry.makeGauge(descriptor: descriptor, labels: labels)
                    s.gauges[descriptor.name] = gauge
                    gauge.set(Double(value))
                }
                for (descriptor, value) in [(Self.pushed, status.pushedOperations), (Self.pulled, status.pulledOperations)] {
                    var entry = s.counters[descriptor.name] ?? (registry.makeCounter(descriptor: descriptor, labels: labels), 0)
                    if value < entry.value {
                        entry.counter.reset()
                        entry.value = 0
                    }
                    if value > entry.value { entry.counter.increment(by: Int64(value - entry.value)) }
                    entry.value = value
                    s.counters[descriptor.name] = entry
                }
                all[name] = s
            }
        }
    }

    private static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "reactor", subsystem: "sync", metricName: name, unitName: "", helpText: help)
    }

    static var state: MetricNameDescriptor { gauge("remote_state", "1 for a sync remote's current connection state, 0 for the others.") }
    static var pushCursor: MetricNameDescriptor { gauge("push_cursor", "The last of this reactor's ordinals the remote acknowledged.") }
    static var pullCursor: MetricNameDescriptor { gauge("pull_cursor", "The last of the remote's ordinals applied here.") }
    static var pushLag: MetricNameDescriptor { gauge("push_lag", "This reactor's ready operations not yet acknowledged by the remote.") }
    static var deadLetters: MetricNameDescriptor { gauge("dead_letters", "Operations from the remote on the dead-letter list.") }
    static var quarantined: MetricNameDescriptor { gauge("quarantined_documents", "Documents quarantined for the remote.") }
    static var pushed: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", subsystem: "sync", metricName: "pushed_operations", unitName: "total",
        helpText: "Operations pushed to the remote since the process started.") }
    static var pulled: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "reactor", subsystem: "sync", metricName: "pulled_operations", unitName: "total",
        helpText: "Operations pulled from the remote since the process started.") }
}
