import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorTesting
import Synchronization
import Testing

/// A store that fails the first `failures` non-create commits with `error`.
final class FlakyStore: ForwardingStore, @unchecked Sendable {
    let remaining: Mutex<Int>
    let error: ReactorError
    let commitCalls = Mutex(0)

    init(failures: Int, error: ReactorError) {
        self.remaining = Mutex(failures)
        self.error = error
        super.init(InMemoryStore())
    }

    override func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        commitCalls.withLock { $0 += 1 }
        let fail = remaining.withLock { n -> Bool in
            guard n > 0, commits.contains(where: { !$0.createsDocument }) else { return false }
            n -= 1
            return true
        }
        if fail { return commits.map { _ in .failure(error) } }
        return await base.commit(commits)
    }
}

@Suite(.timeLimit(.minutes(3))) struct RetryTests {
    @Test func transientErrorsAreRetried() async throws {
        let store = FlakyStore(failures: 2, error: .storage("database is locked", transient: true))
        try await ReactorBuilder.testing().withStore(store).withReactor { module in
            let doc = try await module.reactor.createCounter()
            let info = try await module.reactor.executeAndWait(doc.id, [Counter.add(3)])
            #expect(info.status == .readReady)
            #expect(info.attempts == 2)
            #expect(Counter.value(try await module.reactor.get(doc.id)) == 3)
        }
    }

    @Test func permanentErrorsAreNotRetried() async throws {
        let store = FlakyStore(failures: 1, error: .storage("disk I/O error", transient: false))
        try await ReactorBuilder.testing().withStore(store).withReactor { module in
            let doc = try await module.reactor.createCounter()
            let calls = store.commitCalls.withLock { $0 }
            let info = try await module.reactor.executeAndWait(doc.id, [Counter.add(3)])
            #expect(info.status == .failed)
            #expect(info.error?.code == .storage)
            #expect(info.attempts == 0)
            #expect(store.commitCalls.withLock { $0 } == calls + 1)
            // The cache was not advanced by the failed job.
            #expect(Counter.value(try await module.reactor.get(doc.id)) == 0)
            #expect(try await module.reactor.executeAndWait(doc.id, [Counter.add(1)]).status == .readReady)
            #expect(Counter.value(try await module.reactor.get(doc.id)) == 1)
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct LoadTests {
    /// Builds a document with history on one reactor and returns its operations in index order, per scope.
    private func source() async throws -> (Document, [Operation]) {
        try await ReactorBuilder.testing().withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "shared", name: "Shared")
            try await reactor.executeAndWait("shared", [Counter.add(1), Counter.add(2), Action(type: "FAIL"), Action(type: BaseAction.undo), Counter.add(4)])
            let doc = try await reactor.get("shared")
            let records = try await reactor.operations(OperationQuery(documentID: "shared")).items
            return (doc, records.map(\.operation))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func loadReproducesAndIsIdempotent(_ kind: StoreKind) async throws {
        let (original, operations) = try await source()
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let first = try await reactor.waitForJob(try await reactor.load("shared", operations: operations).id)
            #expect(first.consistencyToken?.coordinates.count == operations.count)
            let loaded = try await reactor.get("shared")
            #expect(loaded.state == original.state)
            #expect(loaded.hashes == original.hashes)
            #expect(loaded.header.name == "Shared")
            // Re-delivered: nothing new is written.
            let ordinal = try await module.store.latestOrdinal()
            let again = try await reactor.waitForJob(try await reactor.load("shared", operations: operations).id)
            #expect(again.status == .readReady)
            #expect(try await module.store.latestOrdinal() == ordinal)
            // Loaded in two parts, the second overlapping the first: the same result.
            module.writeCache.removeAll()
            #expect(try await reactor.get("shared") == loaded)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func loadInPartsWithOverlap(_ kind: StoreKind) async throws {
        let (original, operations) = try await source()
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.load("shared", operations: Array(operations.prefix(4))).id)
            _ = try await reactor.waitForJob(try await reactor.load("shared", operations: Array(operations.dropFirst(2))).id)
            let loaded = try await reactor.get("shared")
            #expect(loaded.state == original.state)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func gapsAndMismatchesAreRejected(_ kind: StoreKind) async throws {
        let (_, operations) = try await source()
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let global = operations.filter { $0.action.scope == Scope.global }
            let create = operations.filter { $0.action.scope == Scope.document }
            // A gap: index 2 without 0 and 1.
            _ = try await reactor.waitForJob(try await reactor.load("shared", operations: create).id)
            let gap = try await reactor.load("shared", operations: [global[2]])
            #expect(try await module.jobTracker.wait(for: gap.id, timeout: .seconds(5)).error?.code == .operationGap)
            // A tampered hash does not reproduce.
            var forged = global[0]
            forged.hash = "AAAA"
            let mismatch = try await reactor.load("shared", operations: [forged])
            #expect(try await module.jobTracker.wait(for: mismatch.id, timeout: .seconds(5)).error?.code == .operationMismatch)
            // A different operation at an index that is taken.
            _ = try await reactor.waitForJob(try await reactor.load("shared", operations: [global[0]]).id)
            var other = global[1]
            other.index = 0
            let taken = try await reactor.load("shared", operations: [other])
            #expect(try await module.jobTracker.wait(for: taken.id, timeout: .seconds(5)).error?.code == .operationMismatch)
            // Nothing of the failed loads was written.
            #expect(try await module.store.revisions(documentID: "shared", branch: Branch.main)[Scope.global] == 1)
        }
    }
}

/// A store whose reads fail: the reactor cannot start.
final class BrokenStore: ForwardingStore, @unchecked Sendable {
    init() { super.init(InMemoryStore()) }
    override func latestOrdinal() async throws -> Int64 { throw ReactorError.storage("disk on fire") }
}

@Suite(.timeLimit(.minutes(3))) struct StartupFailureTests {
    @Test func aReactorThatCannotStartStopsCleanly() async throws {
        let module = try await ReactorBuilder.testing().withStore(BrokenStore()).buildModule()
        let job = try await module.reactor.create(NewDocument(documentType: Counter.documentType))
        await #expect(throws: ReactorError.self) { try await module.reactor.run() }
        await module.reactor.kill().completed()  // must not hang
        #expect(try module.reactor.jobStatus(job.id).status == .failed)
        #expect(try module.reactor.jobStatus(job.id).error?.code == .shutdown)
        await #expect(throws: ReactorError.self) { _ = try await module.reactor.execute("x", actions: [Counter.add(1)]) }
    }
}
