import ReactorCore
import ReactorTesting
import Synchronization
import Testing

/// `GroupCommitter` driven as the PostgreSQL store drives it (a loop woken by `schedule`) and as the SQLite store does
/// (a synchronous drain per `schedule`), here by the test itself.
@Suite(.timeLimit(.minutes(3))) struct GroupCommitterTests {
    typealias Committer = GroupCommitter<Int, Int>

    /// A committer whose `schedule` calls are counted and announced on `due`.
    final class Harness: Sendable {
        let committer: Committer
        let due: AsyncStream<Void>
        let scheduleCalls = Counter()
        let batches = Mutex<[[Int]]>([])

        init(maxBatch: Int) {
            let (due, wake) = AsyncStream.makeStream(of: Void.self)
            self.due = due
            let scheduleCalls = self.scheduleCalls
            committer = Committer(maxBatch: maxBatch) { _ in
                scheduleCalls.increment()
                wake.yield()
            }
        }

        var scheduled: Int { scheduleCalls.value }

        /// Doubles each item, except multiples of 7, which fail. Records the batch.
        func write(_ items: [Int]) -> [Committer.Outcome] {
            batches.withLock { $0.append(items) }
            return items.map { $0 % 7 == 0 ? .failure(ReactorError(.revisionConflict, "item \($0)")) : .success($0 * 2) }
        }

        /// Waits until `count` items are pending (bounded).
        func waitForPending(_ count: Int) async throws {
            try await eventually("\(count) items pending") { committer.pendingCount >= count }
        }
    }

    final class Counter: Sendable {
        private let count = Mutex(0)
        func increment() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    private func expected(_ items: [Int]) -> [Int?] { items.map { $0 % 7 == 0 ? nil : $0 * 2 } }
    private func values(_ outcomes: [Committer.Outcome]) -> [Int?] { outcomes.map { try? $0.get() } }

    @Test func concurrentCallersShareBatchesAndGetTheirOwnOutcomes() async throws {
        let h = Harness(maxBatch: 50)
        let callers = 40
        try await withThrowingTaskGroup(of: ([Int], [Committer.Outcome]).self) { group in
            for k in 0..<callers {
                group.addTask {
                    let items = [k * 3, k * 3 + 1, k * 3 + 2]
                    return (items, await h.committer.submit(items))
                }
            }
            // Nothing is written until a drain runs: every caller is pending, one drain is due.
            try await h.waitForPending(callers * 3)
            #expect(h.scheduled == 1)
            var drains = h.due.makeAsyncIterator()
            while h.committer.pendingCount > 0 {
                _ = await drains.next()
                await h.committer.drain { items async in h.write(items) }
            }
            var answered = 0
            for try await (items, outcomes) in group {
                #expect(values(outcomes) == expected(items), "\(items)")
                answered += 1
            }
            #expect(answered == callers)
        }
        // 16 callers (48 items) fit in a batch of at most 50; a caller's items stay together.
        #expect(h.batches.withLock { $0.map(\.count) } == [48, 48, 24])
        #expect(h.committer.batchCount == 3)
        #expect(h.scheduled == 3)
    }

    @Test func oneCallerIsNeverSplit() async throws {
        let h = Harness(maxBatch: 4)
        async let outcomes = h.committer.submit(Array(1...10))
        try await h.waitForPending(10)
        h.committer.drain { h.write($0) }
        #expect(values(await outcomes) == expected(Array(1...10)))
        #expect(h.batches.withLock { $0 } == [Array(1...10)])
        #expect(await h.committer.submit([]).isEmpty)
        #expect(h.scheduled == 1, "an empty submit schedules nothing")
    }

    @Test func closeRefusesLaterCallersAndStillWritesPendingOnes() async throws {
        let h = Harness(maxBatch: 10)
        async let pending = h.committer.submit([1, 2])
        try await h.waitForPending(2)
        h.committer.close(refusing: ReactorError(.storage, "closed"))
        let refused = await h.committer.submit([3])
        #expect(refused.count == 1)
        #expect(throws: ReactorError.self) { try refused[0].get() }
        h.committer.drain { h.write($0) }
        #expect(values(await pending) == [2, 4])
        #expect(h.batches.withLock { $0 } == [[1, 2]])
    }

    @Test func stopFailsPendingAndLaterCallers() async throws {
        let h = Harness(maxBatch: 10)
        async let pending = h.committer.submit([1, 2])
        try await h.waitForPending(2)
        h.committer.stop(failing: ReactorError(.storage, "stopped", isTransient: true))
        for outcomes in [await pending, await h.committer.submit([3])] {
            for outcome in outcomes {
                #expect(throws: ReactorError(.storage, "stopped", isTransient: true)) { try outcome.get() }
            }
        }
        h.committer.drain { h.write($0) }
        #expect(h.batches.withLock { $0 }.isEmpty)
    }

    @Test func aWriteThatReturnsTooFewOutcomesFailsTheRest() async throws {
        let h = Harness(maxBatch: 10)
        async let outcomes = h.committer.submit([1, 2, 3])
        try await h.waitForPending(3)
        h.committer.drain { items in [.success(items[0])] }
        let results = await outcomes
        #expect(try results[0].get() == 1)
        for outcome in results.dropFirst() {
            #expect { try outcome.get() } throws: { ($0 as? ReactorError)?.code == .internal }
        }
    }
}
