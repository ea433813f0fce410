import ReactorCore
import Synchronization

/// The highest ordinal such that every operation at or below it is `READ_READY`: processors never read past it, so
/// they see operations only after their job's read side is done, and never skip one that commits late.
final class ReadyWatermark: Sendable {
    private struct State {
        var inFlight: Set<Int64> = []
        var highestCommitted: Int64 = 0
    }

    private let state = Mutex(State())
    private let waiters = Waiters()

    /// Starts from what the store already holds.
    func start(at ordinal: Int64) {
        state.withLock { $0.highestCommitted = max($0.highestCommitted, ordinal) }
        waiters.notifyAll()
    }

    func committed(_ ordinals: [Int64]) {
        guard !ordinals.isEmpty else { return }
        state.withLock { s in
            s.inFlight.formUnion(ordinals)
            s.highestCommitted = max(s.highestCommitted, ordinals.max()!)
        }
    }

    func ready(_ ordinals: [Int64]) {
        guard !ordinals.isEmpty else { return }
        state.withLock { s in s.inFlight.subtract(ordinals) }
        waiters.notifyAll()
    }

    var value: Int64 {
        state.withLock { s in s.inFlight.min().map { $0 - 1 } ?? s.highestCommitted }
    }

    /// Waits until the watermark passes `ordinal` or `timeout` elapses.
    func wait(beyond ordinal: Int64, timeout: Duration) async throws {
        _ = try await waiters.wait(timeout: timeout) { [self] in value > ordinal }
    }

    func poke() { waiters.notifyAll() }
}
