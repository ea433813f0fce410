import ReactorCore
import ReactorTesting
import Testing

/// At most `maxConcurrent` invocations of a function at once; one more waits briefly, then FUNCTION_BUSY.
@Suite("Function concurrency", .timeLimit(.minutes(1)))
struct FunctionConcurrencyTests {
    @Test func excessInvocationsWaitThenAreRefusedAndFunctionsAreIndependent() async throws {
        let limiter = FunctionConcurrency(maxWait: .milliseconds(50))
        let hold = Hold()
        hold.arm()
        // Two invocations of "a" take both of its slots and stay in them.
        let first = Task { try await limiter.withPermit("a", maxConcurrent: 2) { await hold.pass() } }
        let second = Task { try await limiter.withPermit("a", maxConcurrent: 2) { await hold.pass() } }
        try await within(.seconds(10), "two invocations held") {
            while hold.heldCount < 2 { await Task.yield() }
        }
        #expect(limiter.active("a") == 2)
        // A third waits, then is refused with FUNCTION_BUSY (429 with Retry-After).
        do {
            try await limiter.withPermit("a", maxConcurrent: 2) { Issue.record("a third invocation ran") }
            Issue.record("a third invocation was not refused")
        } catch let error as ReactorError {
            #expect(error.code == .functionBusy)
            #expect(error.details["maxConcurrent"] == "2" && error.details["retryAfterSeconds"] == "1")
        }
        // Another function is not affected.
        let other = try await limiter.withPermit("b", maxConcurrent: 1) { 42 }
        #expect(other == 42 && limiter.active("b") == 0)
        hold.release()
        try await first.value
        try await second.value
        #expect(limiter.active("a") == 0 && limiter.waiting("a") == 0)
    }

    /// One invocation of "f" (at most 1 at once) held in its slot, and a second one waiting for it.
    func heldAndWaiting(_ limiter: FunctionConcurrency) async throws -> (hold: Hold, holder: Task<Void, any Error>, waiter: Task<String, any Error>) {
        let hold = Hold()
        hold.arm()
        let holder = Task { try await limiter.withPermit("f", maxConcurrent: 1) { await hold.pass() } }
        try await within(.seconds(10), "one invocation held") {
            while hold.heldCount < 1 { await Task.yield() }
        }
        let waiter = Task { try await limiter.withPermit("f", maxConcurrent: 1) { "ran" } }
        try await within(.seconds(10), "the second invocation waits") {
            while limiter.waiting("f") < 1 { await Task.yield() }
        }
        return (hold, holder, waiter)
    }

    @Test func aWaiterGetsTheSlotThatFrees() async throws {
        let limiter = FunctionConcurrency(maxWait: .seconds(30))
        let (hold, holder, waiter) = try await heldAndWaiting(limiter)
        hold.release()
        try await holder.value
        #expect(try await waiter.value == "ran")
        #expect(limiter.active("f") == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let limiter = FunctionConcurrency(maxWait: .seconds(30))
        let (hold, holder, waiter) = try await heldAndWaiting(limiter)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.waiting("f") == 0)
        hold.release()
        try await holder.value
        #expect(limiter.active("f") == 0)
        // Zero wait: refused at once when full.
        let impatient = FunctionConcurrency(maxWait: .zero)
        hold.arm()
        let busy = Task { try await impatient.withPermit("g", maxConcurrent: 1) { await hold.pass() } }
        try await within(.seconds(10), "held") { while hold.heldCount < 1 { await Task.yield() } }
        await #expect(throws: ReactorError.self) { try await impatient.withPermit("g", maxConcurrent: 1) {} }
        hold.release()
        try await busy.value
    }
}
