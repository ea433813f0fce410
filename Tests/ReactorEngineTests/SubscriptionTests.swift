import ReactorCore
@testable import ReactorEngine
import ReactorTesting
import Synchronization
import Testing

/// Live subscriptions: order, bounded buffers with an explicit overflow, and exact resume by position.
@Suite(.timeLimit(.minutes(3)))
struct SubscriptionTests {
    /// The global-scope operation indices of `document` in `changes`, in the order received.
    static func indices(_ changes: [DocumentChange], of document: String) -> [Int] {
        changes.filter { $0.documentID == document }
            .flatMap { $0.operations.filter { $0.stream.scope == Scope.global }.map(\.operation.index) }
    }

    /// How many times an index came after a higher one.
    static func inversions(_ indices: [Int]) -> Int {
        zip(indices, indices.dropFirst()).filter { $0.1 < $0.0 }.count
    }

    /// Takes changes until `done` holds for what was taken (the subscription's buffer holds what arrives meanwhile).
    static func take(_ subscription: Subscription, until done: ([DocumentChange]) -> Bool) async throws -> [DocumentChange] {
        var taken: [DocumentChange] = []
        while !done(taken), let event = try await subscription.next() {
            if case .change(let change) = event { taken.append(change) }
        }
        return taken
    }

    @Test(arguments: StoreKind.allCases)
    func manyWritesToOneDocumentUnderManySubscribersArriveInIndexOrder(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withExecutorConfig(ExecutorConfig(maxConcurrency: 8)).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter(id: "ordered")
            let other = try await reactor.createCounter(id: "other")
            let subscribers = try await (0..<10).asyncMap { _ in try await reactor.subscriptions.open(DocumentQuery(documentType: Counter.documentType)) }
            let writes = 300
            // Queued without waiting, so each job's successor runs as soon as the document is released; another
            // document's jobs run alongside.
            var jobs: [JobInfo] = []
            for i in 0..<writes {
                jobs.append(try await reactor.execute(doc.id, actions: [Counter.add(1)]))
                if i % 3 == 0 { jobs.append(try await reactor.execute(other.id, actions: [Counter.add(1)])) }
            }
            for job in jobs { _ = try await reactor.jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(60)) }
            var total = 0
            for subscriber in subscribers {
                let changes = try await Self.take(subscriber) { Self.indices($0, of: doc.id).count >= writes }
                let seen = Self.indices(changes, of: doc.id)
                #expect(Self.inversions(seen) == 0)
                // Each once (compared as a set, so that a failure does not print 300 numbers twice).
                #expect(seen.count == writes && Set(seen) == Set(0..<writes))
                // Positions only grow: each is a safe resume point.
                #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.0.position < $0.1.position })
                total += Self.inversions(seen)
            }
            print("subscriptions: \(subscribers.count) subscribers × \(writes) writes to one document: \(total) inversions")
        }
    }

    /// A job whose commit is held after the store gave it its ordinals must not be overtaken by a later job of another
    /// document: otherwise the later change's position would claim the earlier one had been delivered.
    @Test(arguments: StoreKind.allCases)
    func aChangeIsNotDeliveredBeforeAnEarlierOrdinal(_ kind: StoreKind) async throws {
        let store = GatedStore(try kind.makeStore(), gating: "slow")
        try await ReactorBuilder.testing().withStore(store).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "slow")
            _ = try await reactor.createCounter(id: "fast")
            let subscription = try await reactor.subscriptions.open(DocumentQuery(documentType: Counter.documentType))
            store.arm()
            // Whatever fails below, the held commit is let go, or the reactor could not stop.
            defer { store.release() }
            let slowJob = try await reactor.execute("slow", actions: [Counter.add(1)])
            try await eventually("the slow commit holds its ordinals", timeout: .seconds(60)) { !store.heldOrdinals.isEmpty }
            try await reactor.executeAndWait("fast", [Counter.add(1)])
            // The fast job is READ_READY, yet its change waits for the slow one's.
            #expect(subscription.waitingCount == 0)
            store.release()
            _ = try await reactor.jobTracker.wait(for: slowJob.id, until: .readReady, timeout: .seconds(30))
            let changes = try await Self.take(subscription) { $0.count >= 2 }
            #expect(changes.map(\.documentID) == ["slow", "fast"])
            #expect(changes[0].position < changes[1].position)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSubscriberThatFallsBehindGetsAnOverflowAndResumesWithNothingMissing(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter(id: "busy")
            let subscription = try await reactor.subscriptions.open(DocumentQuery(ids: [doc.id]), bufferLimit: 5)
            for _ in 0..<20 { try await reactor.executeAndWait(doc.id, [Counter.add(1)]) }
            // It holds the five that fit, then says it overflowed, then ends: nothing is dropped while it goes on.
            var received: [DocumentChange] = []
            var resumeAfter: Int64?
            while let event = try await subscription.next() {
                switch event {
                case .change(let change): received.append(change)
                case .tick: break
                case .overflow(let position): resumeAfter = position
                }
            }
            #expect(received.count == 5)
            #expect(resumeAfter == received.last?.position)
            #expect(reactor.subscriptions.count == 0)
            // Resuming from there replays exactly the rest, then goes on live.
            let resumePosition: Int64 = try #require(resumeAfter)
            let resumed = try await reactor.subscriptions.open(DocumentQuery(ids: [doc.id]), after: resumePosition)
            try await reactor.executeAndWait(doc.id, [Counter.add(1)])
            let rest = try await Self.take(resumed) { Self.indices($0, of: doc.id).count >= 16 }
            #expect(Self.indices(received + rest, of: doc.id) == Array(0..<21))
            // The iterator form throws the overflow.
            let small = try await reactor.subscriptions.open(DocumentQuery(ids: [doc.id]), bufferLimit: 1)
            for _ in 0..<2 { try await reactor.executeAndWait(doc.id, [Counter.add(1)]) }
            await #expect(throws: ReactorError.self) { for try await _ in small {} }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func resumingWhileWritesGoOnReplaysTheMissedChangesThenContinuesLiveWithNoGapOrDuplicate(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter(id: "resumed")
            let query = DocumentQuery(ids: [doc.id])
            let first = try await reactor.subscriptions.open(query)
            for _ in 0..<40 { try await reactor.executeAndWait(doc.id, [Counter.add(1)]) }
            let before = try await Self.take(first) { Self.indices($0, of: doc.id).count >= 15 }
            let position = first.position
            #expect(position == before.last?.position)
            first.cancel()
            // Writes go on while the second subscription opens and replays.
            let more = 60
            var jobs: [JobInfo] = []
            for _ in 0..<more / 2 { jobs.append(try await reactor.execute(doc.id, actions: [Counter.add(1)])) }
            let second = try await reactor.subscriptions.open(query, after: position)
            for _ in 0..<more / 2 { jobs.append(try await reactor.execute(doc.id, actions: [Counter.add(1)])) }
            for job in jobs { _ = try await reactor.jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(60)) }
            let after = try await Self.take(second) { Self.indices($0, of: doc.id).count >= 40 + more - 15 }
            #expect(Self.indices(before + after, of: doc.id) == Array(0..<(40 + more)))
            #expect(second.waitingCount == 0)
        }
    }

    @Test func resumePositionsThisStoreDoesNotHaveAreRefused() async throws {
        try await ReactorBuilder.testing().withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter()
            let latest = try await reactor.store.latestOrdinal()
            for position in [latest + 1, -1, Int64.max] {
                await #expect {
                    _ = try await reactor.subscriptions.open(DocumentQuery(), after: position)
                } throws: { ($0 as? ReactorError)?.code == .invalidResumePosition }
            }
            // The newest position itself is fine: nothing to replay.
            let subscription = try await reactor.subscriptions.open(DocumentQuery(), after: latest)
            #expect(subscription.startPosition == latest)
        }
    }

    @Test func aParentSubscriptionSeesItsChildrensChanges() async throws {
        try await ReactorBuilder.testing().withReactor { module in
            let reactor = module.reactor
            let parent = try await reactor.createCounter(id: "parent")
            let child = try await reactor.createCounter(id: "child")
            _ = try await reactor.createCounter(id: "stranger")
            _ = try await reactor.waitForJob(try await reactor.addChildren(parent.id, [child.id]).id)
            let subscription = try await reactor.subscriptions.open(DocumentQuery(parentID: parent.id))
            try await reactor.executeAndWait("stranger", [Counter.add(1)])
            try await reactor.executeAndWait(child.id, [Counter.add(1)])
            let changes = try await Self.take(subscription) { $0.count >= 1 }
            #expect(changes.map(\.documentID) == [child.id])
        }
    }
}

extension Sequence where Element: Sendable {
    /// `transform` applied to each element in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
