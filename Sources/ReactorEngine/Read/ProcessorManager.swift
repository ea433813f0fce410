import Logging
import ReactorCore
import Synchronization

/// Feeds every ``Processor`` the operations that reached `READ_READY`, in ordinal order, from its persisted cursor.
///
/// Each processor runs in its own child task of the reactor's `run()`. After a batch is processed its cursor is
/// saved, so a restart resumes where it stopped (at-least-once: a batch interrupted before its cursor was saved is
/// delivered again). A processor that throws is retried with exponential back-off.
///
/// With a ``LeaderElection`` (several nodes on one store), a node feeds a processor only while it holds the
/// leadership `processor:<name>`; the others try again every ``leadershipRetry``. A new holder starts from the shared
/// persisted cursor, so each operation is processed by one node (at least once, as above).
public final class ProcessorManager: Sendable {
    public let processors: [any Processor]
    let store: any ReactorStore
    let watermark: ReadyWatermark
    let logger: Logger
    /// Operations read from the store per batch.
    public let batchSize: Int
    /// Who may feed each processor (nil: this node feeds them all).
    let election: (any LeaderElection)?
    /// How often a node without a processor's leadership tries to take it.
    public let leadershipRetry: Duration
    private let stopping = Mutex(false)

    init(processors: [any Processor], store: any ReactorStore, watermark: ReadyWatermark, logger: Logger, batchSize: Int = 256,
         election: (any LeaderElection)? = nil, leadershipRetry: Duration = .seconds(1)) {
        self.election = election
        self.leadershipRetry = leadershipRetry
        self.processors = processors
        self.store = store
        self.watermark = watermark
        self.logger = logger
        self.batchSize = batchSize
    }

    /// Runs every processor until ``stop()`` is called and each has caught up with the watermark.
    func run() async {
        guard !processors.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for processor in processors {
                group.addTask { await self.run(processor) }
            }
        }
    }

    /// Asks processors to finish what is ready and return.
    func stop() {
        stopping.withLock { $0 = true }
        watermark.poke()
    }

    private var isStopping: Bool { stopping.withLock { $0 } }

    private func run(_ processor: any Processor) async {
        guard let election else { return await feed(processor) }
        let name = "processor:\(processor.name)"
        while !Task.isCancelled && !isStopping {
            do {
                _ = try await election.withLeadershipIfAvailable(of: name) { _ in
                    await self.feed(processor)
                    return true
                }
            } catch {
                // Lost leadership (the body was cancelled) or the election's backend failed: try again later.
                logger.warning("processor leadership ended", metadata: ["processor": "\(processor.name)", "error": "\(error)"])
            }
            // Not the leader, or the feed ended early (its cursor could not be read): try again after a pause.
            await pause(leadershipRetry)
        }
    }

    /// Sleeps for `duration`, or less when the manager stops or the task is cancelled.
    private func pause(_ duration: Duration) async {
        let deadline = ContinuousClock.now + duration
        while !isStopping, !Task.isCancelled, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
        }
    }

    /// Feeds `processor` from its persisted cursor until stopped or cancelled.
    private func feed(_ processor: any Processor) async {
        var cursor: Int64
        do {
            cursor = try await store.cursor(named: processor.name) ?? 0
        } catch {
            // A shutdown (or a boot that stops before it serves) cancels the read: that is not an error to report.
            if Task.isCancelled || isStopping || error is CancellationError { return }
            logger.error("cannot read processor cursor", metadata: ["processor": "\(processor.name)", "error": "\(error)"])
            return
        }
        var failures = 0
        while !Task.isCancelled {
            let limit = watermark.value
            if cursor >= limit {
                if isStopping { return }
                try? await watermark.wait(beyond: cursor, timeout: .milliseconds(200))
                continue
            }
            do {
                let batch = try await store.operations(afterOrdinal: cursor, through: limit, limit: batchSize)
                guard let last = batch.last else {
                    try? await watermark.wait(beyond: limit, timeout: .milliseconds(200))
                    continue
                }
                let matching = processor.filter.map { f in batch.filter(f.matches) } ?? batch
                if !matching.isEmpty { try await processor.process(matching) }
                try await store.saveCursor(named: processor.name, ordinal: last.ordinal)
                cursor = last.ordinal
                failures = 0
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let delay = Duration.milliseconds(min(5_000, 10 << min(failures, 9)))
                logger.warning("processor failed; retrying", metadata: [
                    "processor": "\(processor.name)", "error": "\(error)", "retryInMs": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                ])
                if isStopping && failures > 3 { return }
                try? await Task.sleep(for: delay)
            }
        }
    }
}
