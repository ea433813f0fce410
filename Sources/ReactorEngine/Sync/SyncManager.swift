import Logging
import ReactorCore
import ServiceLifecycle
import Synchronization

/// Runs sync with every remote: registers this reactor's channel with each, pushes this reactor's operations as soon
/// as they are `READ_READY`, pulls the remote's (a long poll the remote answers as soon as it has something), and keeps
/// the remotes, cursors, dead letters and quarantines in the store.
///
/// Manage remotes with ``add(_:)``, ``remove(_:)``, ``pause(_:)``, ``resume(_:)``; ``pull(_:)`` pulls now. Run it as a
/// `Service` (``run()``) next to the reactor. `docs/sync.md` describes the protocol.
public final class SyncManager: Service, Sendable {
    /// Makes the channel for a remote (resolving its token); the server wires HTTP, tests the in-process network.
    public typealias ChannelFactory = @Sendable (SyncRemote) async throws -> any SyncChannel

    public let reactor: Reactor
    public let store: SyncStore
    public let config: SyncConfig
    /// The answering side, for the HTTP endpoints and in-process peers.
    public let server: SyncServer
    private let feed: SyncFeed
    private let inbox: SyncInbox
    private let makeChannel: ChannelFactory
    private let logger: Logger

    private struct RemoteState {
        var connection: SyncConnectionState = .stopped
        var lastError: ReactorError?
        var peerID: String?
        var pushCursor: Int64 = 0
        var pullCursor: Int64 = 0
        /// Bumped to stop the running loops of the remote.
        var generation = 0
        var pullRequests = 0
        var pullsDone = 0
        var pushed = 0
        var pulled = 0
    }

    private struct State {
        var remotes: [String: RemoteState] = [:]
        /// The remotes whose loops run, with the generation and the remote they run with.
        var running: [String: (generation: Int, remote: SyncRemote)] = [:]
        var reconcileRequests = 0
        var finished = false
    }

    private let state = Mutex(State())
    private let waiters = Waiters()
    private let election: (any LeaderElection)?
    /// How often the running remotes are compared with the store's (remotes added, changed or removed on another
    /// node of a cluster); a change made here is picked up at once.
    private let reconcileInterval: Duration

    /// - Parameters:
    ///   - election: in a cluster, only the node holding the leadership `reactor.sync` runs the remotes' loops (the
    ///     answering side, ``server``, works on every node).
    public init(
        reactor: Reactor, store: SyncStore, config: SyncConfig = SyncConfig(), election: (any LeaderElection)? = nil,
        reconcileInterval: Duration = .seconds(5), channels: @escaping ChannelFactory
    ) {
        self.reactor = reactor
        self.store = store
        self.config = config
        self.server = SyncServer(reactor: reactor, store: store, config: config)
        self.feed = SyncFeed(reactor: reactor)
        self.inbox = SyncInbox(reactor: reactor, store: store, config: config)
        self.makeChannel = channels
        self.logger = reactor.logger
        self.election = election
        self.reconcileInterval = reconcileInterval
    }

    // MARK: Remotes

    /// Adds a remote and starts syncing with it (unless it is added paused). Fails with `REMOTE_EXISTS` when the name is taken.
    public func add(_ remote: SyncRemote) async throws {
        try remote.validate()
        guard try await store.remote(named: remote.name) == nil else {
            throw ReactorError(.remoteExists, "a remote named '\(remote.name)' exists", details: ["remote": remote.name])
        }
        try await store.saveRemote(remote)
        if remote.paused { setConnection(remote.name, .paused) } else { start(remote.name) }
    }

    /// Replaces a remote's settings (url, token, filter, options, paused); its channel id, creation time and cursors
    /// are kept. Its loops restart with the new settings. `REMOTE_NOT_FOUND` when there is none.
    public func update(_ remote: SyncRemote) async throws {
        let existing = try await self.remote(remote.name)
        var updated = remote
        updated.channelID = existing.channelID
        updated.createdAt = existing.createdAt
        try updated.validate()
        try await store.saveRemote(updated)
        stop(remote.name, removing: false)
        if updated.paused { setConnection(remote.name, .paused) } else { start(remote.name) }
    }

    /// Every remote, by name.
    public func remotes() async throws -> [SyncRemote] { try await store.remotes() }

    /// The remote named `name`; `REMOTE_NOT_FOUND` when there is none.
    public func remote(_ name: String) async throws -> SyncRemote {
        guard let remote = try await store.remote(named: name) else {
            throw ReactorError(.remoteNotFound, "no remote named '\(name)'", details: ["remote": name])
        }
        return remote
    }

    /// Stops syncing with a remote and forgets it (its cursors, dead letters and quarantines too).
    public func remove(_ name: String) async throws {
        _ = try await remote(name)
        stop(name, removing: true)
        try await store.deleteRemote(named: name)
    }

    /// Pauses a remote: nothing is pushed or pulled; cursors are kept.
    public func pause(_ name: String) async throws {
        var remote = try await remote(name)
        remote.paused = true
        try await store.saveRemote(remote)
        stop(name, removing: false)
        setConnection(name, .paused)
    }

    /// Resumes a paused remote (or one stopped in the `error` state).
    public func resume(_ name: String) async throws {
        var remote = try await remote(name)
        remote.paused = false
        try await store.saveRemote(remote)
        stop(name, removing: false)
        start(name)
    }

    /// Pulls from the remote now (whatever its pull mode) and returns once that pull was applied.
    public func pull(_ name: String, timeout: Duration = .seconds(60)) async throws {
        _ = try await remote(name)
        if let failed = state.withLock({ s in s.remotes[name].flatMap { $0.connection == .error ? $0.lastError : nil } }) { throw failed }
        // A remote just added or resumed starts at the next reconciliation: ask for it and wait a moment.
        start(name)
        let isRunning = try await waiters.wait(timeout: .seconds(5)) { [self] in state.withLock { $0.running[name] != nil } }
        let target = state.withLock { s -> Int? in
            guard isRunning, s.remotes[name] != nil else { return nil }
            s.remotes[name]!.pullRequests += 1
            return s.remotes[name]!.pullRequests
        }
        guard let target else {
            throw ReactorError(.remoteNotRunning, "remote '\(name)' is not running (paused, or sync does not run on this node)", details: ["remote": name])
        }
        waiters.notifyAll()
        let done = try await waiters.wait(timeout: timeout) { [self] in
            state.withLock { ($0.remotes[name]?.pullsDone ?? Int.max) >= target }
        }
        guard done else { throw ReactorError(.syncTimeout, "the pull from '\(name)' did not finish within \(timeout)", details: ["remote": name]) }
        if let error = state.withLock({ $0.remotes[name]?.lastError }), state.withLock({ $0.remotes[name]?.connection }) == .error { throw error }
    }

    /// The state of a remote's connection and cursors.
    public func status(_ name: String) async throws -> SyncRemoteStatus {
        let remote = try await remote(name)
        let s = state.withLock { $0.remotes[name] } ?? RemoteState()
        let push = try await store.cursor(.remote(name), .push)
        let pull = try await store.cursor(.remote(name), .pull)
        let letters = try await store.deadLetters(.remote(name), limit: 10_000).count
        let quarantined = try await store.quarantined(.remote(name)).map(\.documentID)
        return SyncRemoteStatus(remote: remote, state: remote.paused ? .paused : s.connection, lastError: s.lastError, peerID: s.peerID,
                                pushCursor: push, pullCursor: pull, pushLag: max(0, reactor.readyOrdinal - push),
                                deadLetters: letters, quarantined: quarantined, pushedOperations: s.pushed, pulledOperations: s.pulled)
    }

    /// A remote's dead letters, oldest first.
    public func deadLetters(_ name: String, after: String? = nil, limit: Int = 100) async throws -> [SyncDeadLetter] {
        _ = try await remote(name)
        return try await store.deadLetters(.remote(name), after: after, limit: limit)
    }

    /// Releases a document quarantined for a remote: its next operations from there are applied again (the dead
    /// letters stay for inspection). Returns false when it was not quarantined.
    @discardableResult
    public func release(_ name: String, documentID: String) async throws -> Bool {
        _ = try await remote(name)
        return try await store.release(.remote(name), documentID: documentID)
    }

    /// Waits until every running remote that pushes acknowledged the operations of job `jobID` (or moved past them:
    /// operations outside a remote's filter count as acknowledged). Fails with `SYNC_TIMEOUT` naming the remotes
    /// still behind.
    public func waitForSync(_ jobID: String, timeout: Duration = .seconds(30)) async throws -> [SyncAcknowledgement] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let info = try await reactor.waitForJobInfo(jobID, timeout: timeout)
        if let error = info.error { throw error }
        guard info.status == .readReady else {
            throw ReactorError(.syncTimeout, "job '\(jobID)' did not finish within \(timeout), so it was not synced",
                               details: ["jobId": jobID, "status": info.status.rawValue])
        }
        var highest: Int64 = 0
        for c in info.consistencyToken?.coordinates ?? [] {
            let page = try await reactor.store.operations(
                matching: OperationQuery(documentID: c.documentID, branch: c.branch, scopes: [c.scope], fromIndex: c.operationIndex),
                page: PageRequest(limit: 1))
            if let record = page.items.first, record.operation.index == c.operationIndex { highest = max(highest, record.ordinal) }
        }
        var pushing: [String] = []
        for remote in try await store.remotes() where remote.options.push && !remote.paused { pushing.append(remote.name) }
        // The persisted push cursors, so that any node of a cluster can wait (the loops run on the leader): checked
        // when a push here moves a cursor, and at least every 50 ms.
        while true {
            var behind: [String] = []
            var cursors: [String: Int64] = [:]
            for name in pushing {
                let cursor = try await store.cursor(.remote(name), .push)
                cursors[name] = cursor
                if cursor < highest { behind.append(name) }
            }
            if behind.isEmpty { return pushing.map { SyncAcknowledgement(remote: $0, cursor: cursors[$0] ?? 0) } }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else {
                throw ReactorError(.syncTimeout, "job '\(jobID)' was not acknowledged by \(behind.joined(separator: ", ")) within \(timeout)",
                                   details: ["jobId": jobID, "remote": behind.joined(separator: ",")])
            }
            let target = highest
            let watched = behind
            _ = try await waiters.wait(timeout: min(left, .milliseconds(50))) { [self] in
                state.withLock { s in watched.allSatisfy { (s.remotes[$0]?.pushCursor ?? 0) >= target } }
            }
        }
    }

    /// The document's sync state per remote.
    public func syncStatus(_ documentID: String, branch: String = Branch.main) async throws -> [DocumentSyncStatus] {
        let latest = try await SyncFeed.records(of: documentID, branch: branch, in: reactor.store).last?.ordinal ?? 0
        var out: [DocumentSyncStatus] = []
        for remote in try await store.remotes() {
            let s = state.withLock { $0.remotes[remote.name] } ?? RemoteState()
            let cursor = try await store.cursor(.remote(remote.name), .push)
            let quarantined = try await store.quarantine(.remote(remote.name), documentID: documentID) != nil
            out.append(DocumentSyncStatus(remote: remote.name, state: remote.paused ? .paused : s.connection,
                                          pending: remote.options.push && latest > cursor, quarantined: quarantined))
        }
        return out
    }

    // MARK: Running

    /// Runs every remote that is not paused until ``finish()``, cancellation or a graceful shutdown of the service
    /// group. With a leader election, only while this node holds the leadership `reactor.sync`.
    public func run() async throws {
        await withGracefulShutdownHandler {
            guard let election else { return await runRemotes() }
            while !isFinished, !Task.isCancelled {
                do {
                    _ = try await election.withLeadershipIfAvailable(of: "reactor.sync") { _ in await self.runRemotes() }
                } catch {
                    logger.warning("sync: leadership lost or unavailable", metadata: ["error": "\(error)"])
                }
                guard !isFinished else { break }
                _ = try? await waiters.wait(timeout: .seconds(1)) { [self] in isFinished }
            }
        } onGracefulShutdown: { [self] in
            finish()
        }
    }

    /// Stops every remote's loops and ends ``run()``.
    public func finish() {
        state.withLock { s in
            s.finished = true
            for name in s.running.keys { s.remotes[name]?.generation += 1 }
            s.running = [:]
        }
        waiters.notifyAll()
    }

    private var isFinished: Bool { state.withLock { $0.finished } }

    /// Keeps one loop task per remote that is not paused, in step with the store, until finished or cancelled.
    private func runRemotes() async {
        await withTaskGroup(of: Void.self) { group in
            while !isFinished, !Task.isCancelled {
                let seen = state.withLock { $0.reconcileRequests }
                if let desired = try? await store.remotes() {
                    for (name, generation) in reconcile(desired) {
                        group.addTask { await self.runRemote(name, generation: generation) }
                    }
                }
                _ = try? await waiters.wait(timeout: reconcileInterval) { [self] in
                    state.withLock { $0.reconcileRequests != seen || $0.finished }
                }
            }
            state.withLock { s in
                for name in s.running.keys {
                    s.remotes[name]?.generation += 1
                    s.remotes[name]?.connection = .stopped
                }
                s.running = [:]
            }
            waiters.notifyAll()
            group.cancelAll()
        }
    }

    /// Stops the loops of remotes removed, paused or changed; returns the remotes to start, with their generation.
    private func reconcile(_ desired: [SyncRemote]) -> [(String, Int)] {
        let started = state.withLock { s -> [(String, Int)] in
            guard !s.finished else { return [] }
            let byName = Dictionary(desired.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (name, run) in s.running where byName[name] != run.remote {
                s.remotes[name]?.generation += 1
                s.running[name] = nil
            }
            var toStart: [(String, Int)] = []
            for remote in desired {
                if remote.paused {
                    s.remotes[remote.name, default: RemoteState()].connection = .paused
                    continue
                }
                guard s.running[remote.name] == nil else { continue }
                var r = s.remotes[remote.name] ?? RemoteState()
                r.generation += 1
                r.connection = .connecting
                r.lastError = nil
                s.remotes[remote.name] = r
                s.running[remote.name] = (r.generation, remote)
                toStart.append((remote.name, r.generation))
            }
            for name in s.remotes.keys where byName[name] == nil { s.remotes[name] = nil }
            return toStart
        }
        waiters.notifyAll()
        return started
    }

    /// Asks the running loop for a reconciliation now (a remote was added, resumed, changed or removed here).
    private func start(_ name: String) {
        state.withLock { $0.reconcileRequests += 1 }
        waiters.notifyAll()
    }

    private func stop(_ name: String, removing: Bool) {
        state.withLock { s in
            s.remotes[name]?.generation += 1
            s.remotes[name]?.connection = .stopped
            s.running[name] = nil
            if removing { s.remotes[name] = nil }
            s.reconcileRequests += 1
        }
        waiters.notifyAll()
    }

    private func isCurrent(_ name: String, _ generation: Int) -> Bool {
        state.withLock { $0.remotes[name]?.generation == generation }
    }

    private func setConnection(_ name: String, _ connection: SyncConnectionState, error: ReactorError? = nil) {
        let changed = state.withLock { s -> Bool in
            var r = s.remotes[name] ?? RemoteState()
            let changed = r.connection != connection
            r.connection = connection
            r.lastError = error
            s.remotes[name] = r
            return changed
        }
        waiters.notifyAll()
        if changed {
            logger.info("sync: connection state", metadata: ["remote": "\(name)", "state": "\(connection.rawValue)"])
        }
    }

    private func emit(_ event: SyncEvent) async {
        await reactor.eventBus.emit(.sync(event))
    }

    /// One remote's loops: register, then push and pull until stopped (a new generation), a fatal refusal or
    /// cancellation.
    private func runRemote(_ name: String, generation: Int) async {
        guard isCurrent(name, generation) else { return }
        let peer = SyncPeer.remote(name)
        do {
            guard let remote = try await store.remote(named: name) else { return }
            let channel = try await makeChannel(remote)
            let pushCursor = try await store.cursor(peer, .push)
            let pullCursor = try await store.cursor(peer, .pull)
            state.withLock { s in
                s.remotes[name]?.pushCursor = pushCursor
                s.remotes[name]?.pullCursor = pullCursor
            }
            let link = RemoteLink(manager: self, remote: remote, channel: channel, generation: generation)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await link.waitUntilStopped() }
                group.addTask { await link.connectAndRun() }
                await group.next()
                group.cancelAll()
            }
        } catch {
            let reactorError = (error as? ReactorError) ?? ReactorError(.internal, "\(error)")
            logger.error("sync: remote failed", metadata: ["remote": "\(name)", "error": "\(reactorError)"])
            if isCurrent(name, generation) { setConnection(name, .error, error: reactorError) }
        }
    }

    /// The loops of one remote (one generation).
    private struct RemoteLink: Sendable {
        let manager: SyncManager
        let remote: SyncRemote
        let channel: any SyncChannel
        let generation: Int
        var name: String { remote.name }
        var peer: SyncPeer { .remote(remote.name) }

        func waitUntilStopped() async {
            _ = try? await manager.waiters.wait { [manager, name, generation] in !manager.isCurrent(name, generation) }
        }

        func connectAndRun() async {
            var failures = 0
            while !Task.isCancelled, manager.isCurrent(name, generation) {
                do {
                    manager.setConnection(name, .connecting)
                    let myID = try await manager.store.reactorID()
                    let accepted = try await channel.register(SyncChannelRegistration(
                        channelID: remote.channelID, peerID: myID, name: remote.name, filter: remote.filter, since: remote.options.since))
                    manager.state.withLock { $0.remotes[name]?.peerID = accepted.reactorID }
                    manager.setConnection(name, .connected)
                    await manager.emit(SyncEvent(kind: .connection, peer: peer.key, state: .connected))
                    failures = 0
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        if remote.options.push {
                            group.addTask { try await pushLoop(myID: myID, peerID: accepted.reactorID) }
                        }
                        if remote.options.pull != .off {
                            group.addTask { try await pullLoop(peerID: accepted.reactorID) }
                        }
                        group.addTask { await waitUntilStopped() }
                        // The first loop to end ends the others (a stop, or an error to handle below).
                        try await group.next()
                        group.cancelAll()
                    }
                    return
                } catch is CancellationError {
                    return
                } catch {
                    let reactorError = (error as? ReactorError) ?? ReactorError(.peerUnavailable, "\(error)", isTransient: true)
                    guard manager.isCurrent(name, generation), !Task.isCancelled else { return }
                    await manager.emit(SyncEvent(kind: .failed, peer: peer.key, error: reactorError))
                    if reactorError.code == .peerRefused {
                        manager.logger.error("sync: the remote refused this reactor's credentials; stopped until resumed",
                                             metadata: ["remote": "\(name)", "error": "\(reactorError.message)"])
                        manager.setConnection(name, .error, error: reactorError)
                        await manager.emit(SyncEvent(kind: .connection, peer: peer.key, state: .error, error: reactorError))
                        manager.markPullsDone(name)
                        return
                    }
                    if reactorError.code == .channelNotFound {
                        // The peer forgot the channel (its store was reset): register again at once.
                        continue
                    }
                    if reactorError.code != .peerUnavailable, !reactorError.isTransient, !SyncInbox.isTransient(reactorError) {
                        // The peer refuses the request itself (or this reactor cannot apply what it sent): sending it
                        // again cannot succeed. Stop, with the reason, until someone looks (resume starts again).
                        manager.logger.error("sync: the exchange was refused; stopped until resumed",
                                             metadata: ["remote": "\(name)", "error": "\(reactorError)"])
                        manager.setConnection(name, .error, error: reactorError)
                        await manager.emit(SyncEvent(kind: .connection, peer: peer.key, state: .error, error: reactorError))
                        manager.markPullsDone(name)
                        return
                    }
                    failures += 1
                    manager.setConnection(name, .retrying, error: reactorError)
                    manager.markPullsDone(name)
                    manager.logger.warning("sync: exchange failed, retrying",
                                           metadata: ["remote": "\(name)", "error": "\(reactorError)", "failures": "\(failures)"])
                    do {
                        try await Task.sleep(for: manager.backoff(failures))
                    } catch {
                        return
                    }
                }
            }
        }

        private func pushLoop(myID: String, peerID: String) async throws {
            let selection = SyncFeed.Selection(filter: remote.filter, since: remote.options.since, peerID: peerID)
            var cursor = try await manager.store.cursor(peer, .push)
            while true {
                try Task.checkCancellation()
                let page = try await manager.feed.page(after: cursor, selection: selection, limit: manager.config.pageSize)
                if page.operations.isEmpty {
                    if page.cursor > cursor {
                        cursor = page.cursor
                        try await manager.savePush(name, cursor)
                    }
                    if !page.hasMore {
                        try await manager.reactor.waitForReady(beyond: cursor, timeout: .seconds(5))
                    }
                    continue
                }
                let documents = Array(Set(page.operations.map(\.documentID))).sorted()
                await manager.emit(SyncEvent(kind: .pending, peer: peer.key, documentIDs: documents, operations: page.operations.count, cursor: page.cursor))
                let ack = try await channel.push(SyncEnvelope(senderID: myID, cursor: page.cursor, operations: page.operations), channelID: remote.channelID)
                cursor = page.cursor
                try await manager.savePush(name, cursor)
                manager.state.withLock { $0.remotes[name]?.pushed += page.operations.count }
                await manager.emit(SyncEvent(kind: .succeeded, peer: peer.key, documentIDs: documents,
                                             operations: ack.applied + ack.duplicates + ack.deadLettered, cursor: cursor))
            }
        }

        private func pullLoop(peerID: String) async throws {
            var cursor = try await manager.store.cursor(peer, .pull)
            while true {
                try Task.checkCancellation()
                let requested = manager.state.withLock { $0.remotes[name]?.pullRequests ?? 0 }
                if remote.options.pull == .manual {
                    // Wait for someone to ask.
                    let asked = requested > manager.state.withLock { $0.remotes[name]?.pullsDone ?? 0 }
                    if !asked {
                        try await manager.waiters.wait { [manager, name] in
                            manager.state.withLock { s in (s.remotes[name]?.pullRequests ?? 0) > (s.remotes[name]?.pullsDone ?? 0) }
                        }
                        continue
                    }
                }
                let page = try await channel.pull(channelID: remote.channelID, after: cursor, limit: manager.config.pageSize,
                                                  wait: remote.options.pull == .live && requested <= manager.pullsDone(name) ? manager.config.longPoll : .zero)
                if !page.operations.isEmpty {
                    let ack = try await manager.inbox.apply(page.operations, from: peer, origin: peerID)
                    manager.state.withLock { $0.remotes[name]?.pulled += page.operations.count }
                    await manager.emit(SyncEvent(kind: .succeeded, peer: peer.key, documentIDs: Array(Set(page.operations.map(\.documentID))).sorted(),
                                                 operations: ack.applied + ack.duplicates + ack.deadLettered, cursor: page.cursor))
                }
                if page.cursor != cursor {
                    cursor = page.cursor
                    try await manager.store.saveCursor(peer, .pull, cursor)
                    manager.state.withLock { $0.remotes[name]?.pullCursor = cursor }
                }
                if !page.hasMore {
                    manager.state.withLock { s in
                        if let r = s.remotes[name] { s.remotes[name]!.pullsDone = max(r.pullsDone, requested) }
                    }
                    manager.waiters.notifyAll()
                }
            }
        }
    }

    private func savePush(_ name: String, _ cursor: Int64) async throws {
        try await store.saveCursor(.remote(name), .push, cursor)
        state.withLock { $0.remotes[name]?.pushCursor = cursor }
        waiters.notifyAll()
    }

    private func pullsDone(_ name: String) -> Int {
        state.withLock { $0.remotes[name]?.pullsDone ?? 0 }
    }

    /// Counts every pull asked for as done (the remote failed or stopped: the callers of ``pull(_:)`` see its state).
    private func markPullsDone(_ name: String) {
        state.withLock { s in
            if let r = s.remotes[name] { s.remotes[name]!.pullsDone = r.pullRequests }
        }
        waiters.notifyAll()
    }

    /// Exponential backoff with jitter: base × 2^(failures−1), at most ``SyncConfig/maxBackoff``, then a random
    /// 50–100 % of it.
    func backoff(_ failures: Int) -> Duration {
        let base = config.retryBase * (1 << min(max(failures - 1, 0), 20))
        let capped = min(base, config.maxBackoff)
        return capped * Double.random(in: 0.5...1.0)
    }
}
