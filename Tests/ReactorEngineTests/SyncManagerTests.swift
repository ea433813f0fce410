import Foundation
import ReactorCore
@testable import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorTesting
import Synchronization
import Testing

/// A channel that fails the way a network and a peer do, on the test's command, in front of a real one.
final class FaultyChannel: SyncChannel, Sendable {
    let base: any SyncChannel
    /// Calls left that fail with `PEER_UNAVAILABLE` (a 5xx, a refused connection).
    let unavailable = Mutex(0)
    /// While set, every call fails with `PEER_REFUSED` (a 401).
    let refused = Mutex(false)
    /// While set, pushes fail with this error (the peer refusing the envelope itself).
    let refusal = Mutex<ReactorError?>(nil)
    /// Pushes whose response is lost after the peer applied them.
    let lostResponses = Mutex(0)
    let calls = Mutex(0)

    init(_ base: any SyncChannel) { self.base = base }

    private func fault() throws {
        calls.withLock { $0 += 1 }
        if refused.withLock({ $0 }) { throw ReactorError(.peerRefused, "the peer answered 401", details: ["status": "401"]) }
        let fail = unavailable.withLock { n -> Bool in
            guard n > 0 else { return false }
            n -= 1
            return true
        }
        if fail { throw ReactorError(.peerUnavailable, "the peer answered 500", details: ["status": "500"], isTransient: true) }
    }

    func register(_ registration: SyncChannelRegistration) async throws -> SyncChannelAccepted {
        try fault()
        return try await base.register(registration)
    }

    func push(_ envelope: SyncEnvelope, channelID: String) async throws -> SyncAck {
        try fault()
        if let refusal = refusal.withLock({ $0 }) { throw refusal }
        let ack = try await base.push(envelope, channelID: channelID)
        let lose = lostResponses.withLock { n -> Bool in
            guard n > 0 else { return false }
            n -= 1
            return true
        }
        if lose { throw ReactorError(.peerUnavailable, "the response was lost", isTransient: true) }
        return ack
    }

    func pull(channelID: String, after cursor: Int64, limit: Int, wait: Duration) async throws -> SyncPage {
        try fault()
        return try await base.pull(channelID: channelID, after: cursor, limit: limit, wait: wait)
    }
}

/// Reactors in one process wired by an ``InProcessSyncNetwork``: remotes run their real push and pull loops.
struct SyncNetworkFixture {
    let network = InProcessSyncNetwork()
    let config = SyncConfig(pageSize: 50, creationWait: .milliseconds(300), longPoll: .seconds(2), retryBase: .milliseconds(10), maxBackoff: .milliseconds(50))

    func builder(_ name: String, store: any ReactorStore = InMemoryStore(), channels: SyncManager.ChannelFactory? = nil) -> ReactorBuilder {
        var b = ReactorBuilder.testing().withDocumentModels([Stack.model()]).withStore(store).withSync(config).withSyncNetwork(network, name: name)
        if let channels { b = b.withSyncChannels(channels) }
        return b
    }

    static func items(_ reactor: Reactor, _ id: String) async throws -> [Int]? {
        guard try await reactor.store.header(id: id) != nil else { return nil }
        return try await reactor.get(id).state[Scope.global]?["items"]?.arrayValue?.compactMap(\.intValue)
    }
}

func push(_ v: Int, id: String = UUID().uuidString.lowercased()) -> Action {
    Action(id: id, type: "PUSH", input: ["v": .number(Double(v))])
}

@Suite(.timeLimit(.minutes(3))) struct SyncManagerTests {
    @Test func twoReactorsSyncBothWaysWithoutPolling() async throws {
        let f = SyncNetworkFixture()
        let a = try await f.builder("a").buildModule()
        let b = try await f.builder("b").buildModule()
        try await a.withRunning {
            try await b.withRunning {
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a")))
                let created = try await a.reactor.create(NewDocument(id: "doc", documentType: Stack.documentType))
                _ = try await a.reactor.waitForJob(created.id)
                try await eventually("the document reaches b", timeout: .seconds(30)) { try await SyncNetworkFixture.items(b.reactor, "doc") == [] }
                let job = try await b.reactor.execute("doc", actions: [push(7)])
                let acks = try await b.sync!.waitForSync(job.id, timeout: .seconds(30))
                #expect(acks.map(\.remote) == ["a"])
                // Acknowledged means stored at a: readable there now.
                #expect(try await SyncNetworkFixture.items(a.reactor, "doc") == [7])
                _ = try await a.reactor.waitForJob(try await a.reactor.execute("doc", actions: [push(8)]).id)
                try await eventually("a's write reaches b", timeout: .seconds(30)) { try await SyncNetworkFixture.items(b.reactor, "doc") == [7, 8] }
                let status = try await b.sync!.status("a")
                #expect(status.state == .connected)
                #expect(status.peerID == (try await a.sync!.store.reactorID()))
                #expect(status.deadLetters == 0)
                try await eventually("b's push cursor passes what it pulled", timeout: .seconds(30)) { try await b.sync!.syncStatus("doc").map(\.pending) == [false] }
                // No echo: a's log holds each action once.
                let ops = try await a.store.operations(in: StreamID(documentID: "doc", scope: Scope.global), fromIndex: 0, limit: nil)
                #expect(ops.map(\.action.type) == ["PUSH", "PUSH"])
            }
        }
    }

    @Test func threeReactorsInAChainConvergeUnderConcurrentWrites() async throws {
        let f = SyncNetworkFixture()
        let a = try await f.builder("a").buildModule()
        let b = try await f.builder("b").buildModule()
        let c = try await f.builder("c").buildModule()
        try await a.withRunning {
            try await b.withRunning {
                try await c.withRunning {
                    try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a")))
                    try await c.sync!.add(SyncRemote(name: "b", channel: SyncChannelConfig(url: "inprocess:b")))
                    _ = try await a.reactor.waitForJob(try await a.reactor.create(NewDocument(id: "doc", documentType: Stack.documentType)).id)
                    try await eventually("the document reaches c through b", timeout: .seconds(30)) { try await SyncNetworkFixture.items(c.reactor, "doc") == [] }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (i, m) in [a, b, c].enumerated() {
                            group.addTask {
                                for k in 0..<15 { _ = try await m.reactor.execute("doc", actions: [push(i * 100 + k)]) }
                            }
                        }
                        try await group.waitForAll()
                    }
                    try await eventually("all 45 writes everywhere, in one order", timeout: .seconds(30)) {
                        let states = try await [a, b, c].asyncMap { try await SyncNetworkFixture.items($0.reactor, "doc") ?? [] }
                        return states[0].count == 45 && states[0] == states[1] && states[1] == states[2]
                    }
                    let hashes = try await [a, b, c].asyncMap { try await $0.reactor.get("doc").hashes }
                    #expect(hashes[0] == hashes[1] && hashes[1] == hashes[2])
                }
            }
        }
    }

    @Test func transientFailuresRetryAndLostResponsesAreDeduplicated() async throws {
        let f = SyncNetworkFixture()
        let faulty = Mutex<FaultyChannel?>(nil)
        let a = try await f.builder("a").buildModule()
        let b = try await f.builder("b", channels: { _ in
            let channel = FaultyChannel(f.network.channel(to: "a"))
            channel.unavailable.withLock { $0 = 3 }
            channel.lostResponses.withLock { $0 = 1 }
            faulty.withLock { $0 = channel }
            return channel
        }).buildModule()
        try await a.withRunning {
            try await b.withRunning {
                // An http url so that the factory (not the in-process network) makes the channel.
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "http://a.invalid")))
                _ = try await b.reactor.waitForJob(try await b.reactor.create(NewDocument(id: "doc", documentType: Stack.documentType)).id)
                _ = try await b.reactor.waitForJob(try await b.reactor.execute("doc", actions: [push(1)]).id)
                try await eventually("b's writes reach a despite the failures", timeout: .seconds(30)) { try await SyncNetworkFixture.items(a.reactor, "doc") == [1] }
                try await eventually("the remote is connected again", timeout: .seconds(30)) { try await b.sync!.status("a").state == .connected }
                // The push whose response was lost was sent again and dropped as held: a holds each operation once.
                #expect(try await a.store.operations(in: StreamID(documentID: "doc", scope: Scope.global), fromIndex: 0, limit: nil).count == 1)
                #expect((faulty.withLock { $0 }?.calls.withLock { $0 } ?? 0) > 4)
            }
        }
    }

    @Test func aRefusedTokenStopsTheRemoteInTheErrorState() async throws {
        let f = SyncNetworkFixture()
        let a = try await f.builder("a").buildModule()
        let b = try await f.builder("b", channels: { _ in
            let channel = FaultyChannel(f.network.channel(to: "a"))
            channel.refused.withLock { $0 = true }
            return channel
        }).buildModule()
        try await a.withRunning {
            try await b.withRunning {
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "http://a.invalid", token: "wrong")))
                try await eventually("the remote stops in the error state", timeout: .seconds(30)) { try await b.sync!.status("a").state == .error }
                let status = try await b.sync!.status("a")
                #expect(status.lastError?.code == .peerRefused)
                await #expect(throws: ReactorError.self) { try await b.sync!.pull("a", timeout: .seconds(5)) }
            }
        }
    }

    @Test func aPeerRefusingAnEnvelopeStopsTheRemoteInsteadOfRetryingForever() async throws {
        let f = SyncNetworkFixture()
        let a = try await f.builder("a").buildModule()
        let b = try await f.builder("b", channels: { _ in
            let channel = FaultyChannel(f.network.channel(to: "a"))
            channel.refusal.withLock { $0 = ReactorError(.payloadTooLarge, "the envelope is larger than the peer accepts") }
            return channel
        }).buildModule()
        try await a.withRunning {
            try await b.withRunning {
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "http://a.invalid"), options: .init(pull: .off)))
                _ = try await b.reactor.waitForJob(try await b.reactor.create(NewDocument(id: "doc", documentType: Stack.documentType)).id)
                try await eventually("the remote stops in the error state", timeout: .seconds(30)) { try await b.sync!.status("a").state == .error }
                #expect(try await b.sync!.status("a").lastError?.code == .payloadTooLarge)
                #expect(try await b.sync!.status("a").pushCursor == 0, "nothing was acknowledged")
            }
        }
    }

    @Test func forgedOperationsEndInTheDeadLetterListNeverInTheStore() async throws {
        let f = SyncNetworkFixture()
        let signer = Ed25519Signer(name: "a")
        let a = try await f.builder("a").withSigner(signer).buildModule()
        let b = try await f.builder("b").withSignatureVerifier(CryptoSignatureVerifier(mode: .required, trustedPublicKeys: [signer.info.publicKey]))
            .buildModule()
        try await a.withRunning {
            try await b.withRunning {
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a")))
                _ = try await a.reactor.waitForJob(try await a.reactor.create(NewDocument(id: "doc", documentType: Stack.documentType)).id)
                _ = try await a.reactor.waitForJob(try await a.reactor.execute("doc", actions: [push(1)]).id)
                try await eventually("signed operations are accepted", timeout: .seconds(30)) { try await SyncNetworkFixture.items(b.reactor, "doc") == [1] }
                // A forged operation pushed on a's channel: the input changed after signing.
                let bID = try await b.sync!.store.reactorID()
                _ = try await a.sync!.server.register(SyncChannelRegistration(channelID: "forger", peerID: "forger-id", name: "forger", filter: SyncFilter()))
                _ = bID
                let page = try await a.sync!.server.page(channelID: "forger", after: 0, limit: 50, wait: .zero)
                var forged = try #require(page.operations.last)
                forged.operation.action.input = ["v": 666]
                forged.operation.index = 5
                let signed = try signer.sign(push(2, id: "forged-1"), documentID: "doc", branch: Branch.main)
                var tampered = signed
                tampered.input = ["v": 999]
                let stream = StreamID(documentID: "doc", scope: Scope.global)
                let op = Operation(id: OperationID.make(stream: stream, actionID: tampered.id), index: 2, timestamp: Clock.nowMilliseconds(), hash: "", action: tampered)
                _ = try await b.sync!.server.register(SyncChannelRegistration(channelID: "from-forger", peerID: "forger-id", name: "forger", filter: SyncFilter()))
                let ack = try await b.sync!.server.receive(SyncEnvelope(senderID: "forger-id", cursor: 1, operations: [
                    SyncOperation(documentID: "doc", documentType: Stack.documentType, scope: Scope.global, branch: Branch.main, operation: op),
                ]), channelID: "from-forger")
                #expect(ack.deadLettered == 1 && ack.applied == 0)
                #expect(try await b.store.existingOperationIDs([op.id]).isEmpty)
                let letters = try await b.sync!.store.deadLetters(.channel("from-forger"))
                #expect(letters.map(\.reason) == [.signature])
                #expect(try await b.sync!.store.quarantine(.channel("from-forger"), documentID: "doc") != nil)
                #expect(try await SyncNetworkFixture.items(b.reactor, "doc") == [1])
            }
        }
    }

    @Test func operationsForADocumentThatNeverArrivesWaitThenDeadLetter() async throws {
        let f = SyncNetworkFixture()
        let b = try await f.builder("b").buildModule()
        try await b.withRunning {
            _ = try await b.sync!.server.register(SyncChannelRegistration(channelID: "p", peerID: "peer", name: "p", filter: SyncFilter()))
            let stream = StreamID(documentID: "ghost", scope: Scope.global)
            let action = push(1)
            let op = Operation(id: OperationID.make(stream: stream, actionID: action.id), index: 0, timestamp: Clock.nowMilliseconds(), hash: "", action: action)
            let started = ContinuousClock.now
            let ack = try await b.sync!.server.receive(SyncEnvelope(senderID: "peer", cursor: 1, operations: [
                SyncOperation(documentID: "ghost", documentType: Stack.documentType, scope: Scope.global, branch: Branch.main, operation: op),
            ]), channelID: "p")
            #expect(started.duration(to: .now) >= .milliseconds(250), "the load did not wait for the creation")
            #expect(ack.deadLettered == 1)
            #expect(try await b.sync!.store.deadLetters(.channel("p")).map(\.reason) == [.missingOperations])
        }
    }

    @Test func aMergeMovingTooManyOperationsQuarantinesTheDocument() async throws {
        let f = SyncNetworkFixture()
        let strict = SyncConfig(pageSize: 50, maxReshuffle: 0, creationWait: .milliseconds(300), longPoll: .seconds(2), retryBase: .milliseconds(10))
        let a = try await f.builder("a").withSync(strict).buildModule()
        let b = try await f.builder("b").withSync(strict).buildModule()
        try await a.withRunning {
            try await b.withRunning {
                _ = try await a.reactor.waitForJob(try await a.reactor.create(NewDocument(id: "doc", documentType: Stack.documentType)).id)
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a"), options: .init(pull: .manual, push: false)))
                try await b.sync!.pull("a")
                // b writes later than a, but pulls a's write after its own: a's sorts first, b's would have to move.
                _ = try await a.reactor.waitForJob(try await a.reactor.execute("doc", actions: [push(1)]).id)
                try await Task.sleep(for: .milliseconds(3))
                _ = try await b.reactor.waitForJob(try await b.reactor.execute("doc", actions: [push(2)]).id)
                try await b.sync!.pull("a")
                let letters = try await b.sync!.deadLetters("a")
                #expect(letters.map(\.reason) == [.excessiveReshuffle])
                #expect(letters.first?.code == ReactorError.Code.mergeTooLarge.rawValue)
                #expect(try await b.sync!.status("a").quarantined == ["doc"])
                #expect(try await SyncNetworkFixture.items(b.reactor, "doc") == [2])
            }
        }
    }

    @Test func aDriveFilterSendsTheDriveAndItsChildrenWithTheirEarlierOperations() async throws {
        let f = SyncNetworkFixture()
        let a = try await f.builder("a").buildModule()
        let b = try await f.builder("b").buildModule()
        try await a.withRunning {
            try await b.withRunning {
                let r = a.reactor
                _ = try await r.waitForJob(try await r.create(NewDocument(id: "drive", documentType: Drive.documentType)).id)
                for id in ["kid", "other"] {
                    _ = try await r.waitForJob(try await r.create(NewDocument(id: id, documentType: Stack.documentType)).id)
                    _ = try await r.waitForJob(try await r.execute(id, actions: [push(1)]).id)
                }
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a"), filter: SyncFilter(driveID: "drive"),
                                                 options: .init(pull: .manual, push: false)))
                try await b.sync!.pull("a")
                #expect(try await b.store.header(id: "drive") != nil)
                #expect(try await b.store.header(id: "kid") == nil, "not a child yet")
                // Adopted later: its earlier operations follow.
                _ = try await r.waitForJob(try await r.addChildren("drive", ["kid"]).id)
                _ = try await r.waitForJob(try await r.execute("kid", actions: [push(2)]).id)
                try await b.sync!.pull("a")
                #expect(try await SyncNetworkFixture.items(b.reactor, "kid") == [1, 2])
                #expect(try await b.store.header(id: "other") == nil, "outside the drive")
                #expect(try await b.sync!.deadLetters("a").isEmpty)
            }
        }
    }

    @Test func remotesAndCursorsSurviveARestartAndPausedRemotesDoNotMove() async throws {
        let f = SyncNetworkFixture()
        let storeB = InMemoryStore()
        let a = try await f.builder("a").buildModule()
        try await a.withRunning {
            _ = try await a.reactor.waitForJob(try await a.reactor.create(NewDocument(id: "doc", documentType: Stack.documentType)).id)
            let b1 = try await f.builder("b", store: storeB).buildModule()
            try await b1.withRunning {
                try await b1.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a")))
                try await eventually("the document reaches b", timeout: .seconds(30)) { try await SyncNetworkFixture.items(b1.reactor, "doc") == [] }
                try await b1.sync!.pause("a")
                #expect(try await b1.sync!.status("a").state == .paused)
                _ = try await a.reactor.waitForJob(try await a.reactor.execute("doc", actions: [push(1)]).id)
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await SyncNetworkFixture.items(b1.reactor, "doc") == [])
                await #expect(throws: ReactorError.self) { try await b1.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a"))) }
            }
            // "Restarted": a new reactor on the same store finds the paused remote and its cursors.
            let b2 = try await f.builder("b", store: storeB).buildModule()
            try await b2.withRunning {
                let remotes = try await b2.sync!.remotes()
                #expect(remotes.map(\.name) == ["a"] && remotes.first?.paused == true)
                #expect(try await b2.sync!.status("a").pullCursor > 0)
                try await b2.sync!.resume("a")
                try await eventually("resumed: a's write arrives", timeout: .seconds(30)) { try await SyncNetworkFixture.items(b2.reactor, "doc") == [1] }
                try await b2.sync!.remove("a")
                #expect(try await b2.sync!.remotes().isEmpty)
                await #expect(throws: ReactorError.self) { try await b2.sync!.status("a") }
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        out.reserveCapacity(count)
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
