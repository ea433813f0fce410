import Benchmark
import HotPathFixtures
import ReactorCore
import ReactorModels

/// One single-action job (`TOGGLE_TODO`), submit to `READ_READY`, on a reactor with an in-memory store (no disk):
/// the engine's own overhead around the reduce (queue, executor, commit, write cache, read side, job tracking), on
/// to-do lists of 10 and 10,000 items.
let benchmarks: @Sendable () -> Void = {
    for count in [10, 10_000] {
        let live = ReactorHolder()
        Benchmark(
            "single-action job to READ_READY \(count) items in memory",
            configuration: HotPathFixtures.configuration(maxDuration: .seconds(3), maxIterations: 2_000)
        ) { _, reactor in
            try await reactor.submit([TodoList.toggleTodo(id: HotPathFixtures.middleItem(of: count))])
        } setup: {
            let reactor = try await RunningReactor.start(items: count)
            live.reactor = reactor
            return reactor
        } teardown: {
            try await live.reactor?.stop()
            live.reactor = nil
        }
    }
}

/// Hands the reactor a benchmark's setup started to its teardown (which is given no setup state).
final class ReactorHolder: @unchecked Sendable {
    /// Set by setup, read and cleared by teardown; the benchmark runner calls the two one after the other.
    var reactor: RunningReactor?
}
