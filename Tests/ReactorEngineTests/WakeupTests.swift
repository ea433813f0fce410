@testable import ReactorEngine
import Testing

@Suite(.timeLimit(.minutes(3))) struct WakeupTests {
    @Test func aSignalGivenBeforeTheWaitCountsOnce() async {
        let wakeup = Wakeup()
        wakeup.signal()
        wakeup.signal()
        #expect(await wakeup.wait(timeout: .seconds(60)))
        // Both signals were consumed by that wait.
        #expect(await wakeup.wait(timeout: .milliseconds(10)) == false)
    }

    @Test func aWaitWithoutASignalEndsAtItsTimeout() async {
        #expect(await Wakeup().wait(timeout: .milliseconds(10)) == false)
    }

    @Test func aSignalWakesAWaiter() async {
        let wakeup = Wakeup()
        async let woken = wakeup.wait(timeout: .seconds(60))
        // Whether it comes before or during the wait, the signal ends it long before the timeout.
        wakeup.signal()
        #expect(await woken)
    }

    @Test func aCancelledWaitReturnsAndLeavesTheNextWaitWorking() async {
        let wakeup = Wakeup()
        let task = Task { await wakeup.wait(timeout: .seconds(60)) }
        task.cancel()
        #expect(await task.value == false)
        wakeup.signal()
        #expect(await wakeup.wait(timeout: .seconds(60)))
    }

    @Test func everyRoundOfSignalsWakesTheWaiter() async {
        let wakeup = Wakeup()
        for _ in 0..<1_000 {
            async let woken = wakeup.wait(timeout: .seconds(60))
            wakeup.signal()
            #expect(await woken)
        }
    }
}
