import Foundation
@testable import ReactorEngine
import Testing

@Suite(.timeLimit(.minutes(3))) struct InlinePermitsTests {
    @Test func permitsAreCountedAndGivenBack() {
        let permits = InlinePermits(count: 2)
        #expect(permits.acquire())
        #expect(permits.acquire())
        #expect(!permits.acquire(), "only two at once")
        permits.release()
        #expect(permits.acquire())
        #expect(!InlinePermits(count: 0).acquire(), "one core: nothing runs inline")
    }

    @Test func theProcessKeepsOneCooperativeThreadFree() {
        #expect(InlinePermits.shared.available <= max(0, ProcessInfo.processInfo.activeProcessorCount - 1))
    }
}
