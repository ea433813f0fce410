import ReactorCore
@testable import ReactorEngine
import ReactorTesting
import Synchronization
import Testing

/// A subscriber that suspends on every event until the test lets it go (it never blocks a thread).
final class StuckSubscriber: Sendable {
    private let state = Mutex<(received: [String], open: Bool, waiting: [CheckedContinuation<Void, Never>])>(([], false, []))

    func handle(_ event: ReactorEvent) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        state.withLock { $0.received.append(event.job!.id) }
    }

    func open() {
        let waiting = state.withLock { s in
            s.open = true
            defer { s.waiting = [] }
            return s.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    var received: [String] { state.withLock { $0.received } }
}

@Suite(.timeLimit(.minutes(3)))
struct EventBusTests {
    /// A subscriber stuck on its first event does not hold back the write path: every job reaches READ_READY, and
    /// the subscriber then receives every event, in order.
    @Test func aStuckSubscriberDoesNotThrottleJobs() async throws {
        let stuck = StuckSubscriber()
        try await ReactorBuilder.testing().withReactor { module in
            // Opened on every path: a failed or timed-out test must not leave the reactor's shutdown waiting for a
            // subscriber that never returns.
            defer { stuck.open() }
            module.eventBus.subscribe([.jobReadReady]) { await stuck.handle($0) }
            let doc = try await module.reactor.createCounter(id: "c")
            var jobs: [String] = []
            for i in 0..<50 {
                let job = try await module.reactor.execute(doc.id, actions: [Counter.add(i)])
                jobs.append(job.id)
                try await module.reactor.waitForJob(job.id)
            }
            #expect(stuck.received.isEmpty)
            stuck.open()
            try await eventually("the subscriber caught up") { stuck.received.count == 51 }
            #expect(Array(stuck.received.suffix(50)) == jobs)
        }
    }

    /// A subscriber's mailbox is bounded: when it is full the oldest events are dropped and counted, the newest kept.
    @Test func aFullMailboxDropsTheOldestEvents() async throws {
        let stuck = StuckSubscriber()
        let bus = InProcessEventBus()
        try await ReactorBuilder.testing().withEventBus(bus).withReactor { module in
            defer { stuck.open() }
            let subscription = bus.subscribe([.jobReadReady], delivery: .buffered(capacity: 4)) { await stuck.handle($0) }
            let doc = try await module.reactor.createCounter(id: "c")
            var jobs: [String] = []
            for i in 0..<10 {
                let job = try await module.reactor.execute(doc.id, actions: [Counter.add(i)])
                jobs.append(job.id)
                try await module.reactor.waitForJob(job.id)
            }
            // One event is in the handler, four wait in the mailbox, the rest were dropped.
            try await eventually("the mailbox overflowed") { bus.droppedEvents(subscription) == 6 }
            stuck.open()
            try await eventually("the kept events arrived") { stuck.received.count == 5 }
            #expect(Array(stuck.received.suffix(4)) == Array(jobs.suffix(4)))
        }
    }

    /// Events still queued when the reactor stops are delivered before it has stopped.
    @Test func queuedEventsAreDeliveredAtShutdown() async throws {
        let received = Mutex(0)
        try await ReactorBuilder.testing().withReactor { module in
            module.eventBus.subscribe([.jobReadReady]) { _ in
                try? await Task.sleep(for: .milliseconds(1))
                received.withLock { $0 += 1 }
            }
            let doc = try await module.reactor.createCounter(id: "c")
            for i in 0..<20 { try await module.reactor.waitForJob(try await module.reactor.execute(doc.id, actions: [Counter.add(i)]).id) }
        }
        #expect(received.withLock { $0 } == 21)
    }
}
