import ReactorCore

/// The answering side of sync: what the `/reactor/v1/sync/channels…` endpoints (and the in-process channel) call.
/// A peer registers a channel, pushes envelopes on it and pulls pages from it.
///
/// Every request is checked whole before anything changes: a malformed envelope, an unknown channel, operations of
/// a stream out of order or an oversized page is refused with a typed error and changes nothing.
public struct SyncServer: Sendable {
    let reactor: Reactor
    let store: SyncStore
    let config: SyncConfig
    let inbox: SyncInbox
    let feed: SyncFeed

    init(reactor: Reactor, store: SyncStore, config: SyncConfig) {
        self.reactor = reactor
        self.store = store
        self.config = config
        self.inbox = SyncInbox(reactor: reactor, store: store, config: config)
        self.feed = SyncFeed(reactor: reactor)
    }

    /// The most operations one envelope may carry: a page, plus room for a job that a page never splits.
    public var maxEnvelopeOperations: Int { max(config.pageSize * 4, 10_000) }

    /// Registers (or re-registers) a peer's channel; answers with this reactor's id.
    public func register(_ registration: SyncChannelRegistration) async throws -> SyncChannelAccepted {
        try Identifiers.channelID.check(registration.channelID, path: "channelId")
        try Identifiers.channelID.check(registration.peerID, path: "peerId")
        try Identifiers.remoteName.check(registration.name, path: "name")
        try registration.filter.validate()
        let id = try await store.reactorID()
        guard registration.peerID != id else {
            throw ReactorError.invalidInput("a reactor cannot sync with itself", path: "peerId")
        }
        let existing = try await store.channel(id: registration.channelID)
        if let existing, existing.registration.peerID != registration.peerID {
            throw ReactorError(.forbidden, "channel '\(registration.channelID)' belongs to another peer", details: ["channelId": registration.channelID])
        }
        try await store.saveChannel(SyncChannelRecord(registration: registration, registeredAt: existing?.registeredAt ?? Clock.nowMilliseconds()))
        return SyncChannelAccepted(reactorID: id)
    }

    /// Applies a pushed envelope (see ``SyncChannel/push(_:channelID:)``).
    public func receive(_ envelope: SyncEnvelope, channelID: String) async throws -> SyncAck {
        let channel = try await channel(channelID)
        guard envelope.senderID == channel.registration.peerID else {
            throw ReactorError(.forbidden, "the envelope's sender is not the peer that registered channel '\(channelID)'",
                               details: ["channelId": channelID])
        }
        guard envelope.operations.count <= maxEnvelopeOperations else {
            throw ReactorError(.payloadTooLarge, "an envelope carries at most \(maxEnvelopeOperations) operations, this one \(envelope.operations.count)",
                               details: ["size": String(envelope.operations.count), "limit": String(maxEnvelopeOperations)])
        }
        try Self.check(envelope.operations)
        return try await inbox.apply(envelope.operations, from: .channel(channelID), origin: channel.registration.peerID)
    }

    /// The next page for a peer that pulls (see ``SyncChannel/pull(channelID:after:limit:wait:)``).
    public func page(channelID: String, after cursor: Int64, limit: Int, wait: Duration) async throws -> SyncPage {
        guard cursor >= 0 else { throw ReactorError(.invalidArgument, "'after' must be 0 or more", details: ["argument": "after"]) }
        guard (1...config.pageSize).contains(limit) else {
            throw ReactorError(.invalidArgument, "'limit' must be between 1 and \(config.pageSize)", details: ["argument": "limit", "limit": String(config.pageSize)])
        }
        let channel = try await channel(channelID)
        let selection = SyncFeed.Selection(filter: channel.registration.filter, since: channel.registration.since, peerID: channel.registration.peerID)
        let deadline = ContinuousClock.now.advanced(by: min(wait, config.longPoll))
        var after = cursor
        while true {
            let page = try await feed.page(after: after, selection: selection, limit: limit)
            if !page.operations.isEmpty || page.hasMore { return page }
            after = page.cursor
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return page }
            try await reactor.waitForReady(beyond: max(after, reactor.readyOrdinal), timeout: left)
            try Task.checkCancellation()
        }
    }

    private func channel(_ id: String) async throws -> SyncChannelRecord {
        try Identifiers.channelID.check(id, path: "channelId")
        guard var channel = try await store.channel(id: id) else {
            throw ReactorError(.channelNotFound, "no sync channel '\(id)': register it first", details: ["channelId": id])
        }
        // When the peer was last seen, to the minute (not a write per request).
        let now = Clock.nowMilliseconds()
        if now - channel.lastSeenAt >= 60_000 {
            channel.lastSeenAt = now
            try await store.saveChannel(channel)
        }
        return channel
    }

    /// Checks incoming operations without state: names, ids that match their stream and action, no merge markers, and
    /// per stream strictly increasing indices (an envelope is a run of the sender's log, never reordered).
    static func check(_ operations: [SyncOperation]) throws {
        var lastIndex: [StreamID: Int] = [:]
        var ids = Set<String>()
        for (i, item) in operations.enumerated() {
            let path = "operations[\(i)]"
            try Identifiers.documentID.check(item.documentID, path: "\(path).documentId")
            try Identifiers.branch.check(item.branch, path: "\(path).branch")
            try Identifiers.scope.check(item.scope, path: "\(path).scope")
            try Identifiers.documentType.check(item.documentType, path: "\(path).documentType")
            let op = item.operation
            try Identifiers.check(op.action, path: "\(path).operation.action")
            guard op.action.scope == item.scope else {
                throw ReactorError.invalidInput("the action's scope '\(op.action.scope)' is not the operation's scope '\(item.scope)'", path: "\(path).operation.action.scope")
            }
            guard op.index >= 0, op.skip >= 0 else { throw ReactorError.invalidInput("index and skip must be 0 or more", path: "\(path).operation.index") }
            guard op.action.type != BaseAction.merge else { throw ReactorError.invalidInput("merge markers are not exchanged", path: "\(path).operation.action.type") }
            let expected = OperationID.make(stream: item.stream, actionID: op.action.id)
            guard op.id == expected else {
                throw ReactorError(.operationMismatch, "operation id '\(op.id)' does not match its stream and action id",
                                   details: ["operationId": op.id, "path": "\(path).operation.id"])
            }
            guard ids.insert(op.id).inserted else { throw ReactorError.invalidInput("operation '\(op.id)' appears twice", path: "\(path).operation.id") }
            if let last = lastIndex[item.stream], op.index <= last {
                throw ReactorError(.operationGap, "operation \(op.index) of \(item.stream) follows operation \(last): an envelope's operations of a stream must be in index order",
                                   details: ["stream": item.stream.description, "index": String(op.index), "path": "\(path).operation.index"])
            }
            lastIndex[item.stream] = op.index
        }
    }
}
