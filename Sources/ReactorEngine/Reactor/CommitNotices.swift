import Logging
import ReactorCore

/// Commit notices between the nodes of a cluster, over a ``PubSub``: a node announces that it committed (or that a
/// job of its ended without a commit), and the other nodes' followers read the operation feed at once instead of at
/// their next poll, and their jobs waiting for their turn on a document check it again (``JobLedger/othersAnnounced()``).
///
/// A notice carries only the publishing node's id (the follower reads what changed from the store's feed, which stays
/// the one source of truth), so a lost notice delays a follower until its next poll
/// (``ClusterConfig/notifiedFollowInterval``) and never loses an operation. Announcing never waits: commits announced
/// while a notice is being published share the next one, so a busy node publishes at most one notice per publish
/// round trip, whatever its commit rate.
final class CommitNotices: Sendable {
    let pubSub: any PubSub
    /// The pub/sub channel of the notices.
    let channel: String
    /// This node's id: its own notices do not wake its follower.
    let nodeID: String
    /// Woken by other nodes' notices; the follower waits on it.
    let wakeup = Wakeup()
    /// Told about other nodes' notices, for the jobs waiting for their turn.
    let ledger: (any JobLedger)?
    private let announced: AsyncStream<Void>
    private let announce: AsyncStream<Void>.Continuation

    init(pubSub: any PubSub, channel: String, nodeID: String, ledger: (any JobLedger)? = nil) {
        self.pubSub = pubSub
        self.channel = channel
        self.nodeID = nodeID
        self.ledger = ledger
        (announced, announce) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Announces a commit of this node, or the end of one of its jobs without a commit (never waits).
    func commitStored() {
        announce.yield()
    }

    /// Publishes the notices announced, one publish at a time, until cancelled.
    func runPublisher(logger: Logger) async {
        for await _ in announced {
            do {
                try await pubSub.publish(nodeID, to: channel)
            } catch is CancellationError {
                return  // the reactor is shutting down: nothing more to announce
            } catch {
                logger.warning("cannot publish a commit notice; other nodes see the commit at their next poll",
                               metadata: ["channel": "\(channel)", "error": "\(error)"])
            }
        }
    }

    /// Wakes the follower for every other node's notice, until cancelled. A subscription that fails (its connection
    /// was lost, so notices may have been missed) wakes the follower once and is opened again.
    func runListener(logger: Logger) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await pubSub.withSubscription(to: channel) { subscription in
                    // What was committed while no subscription was open is read now.
                    self.wakeup.signal()
                    self.ledger?.announcementsArrive(true)
                    self.ledger?.othersAnnounced()
                    for try await message in subscription where message.string != self.nodeID {
                        self.wakeup.signal()
                        self.ledger?.othersAnnounced()
                    }
                    self.ledger?.announcementsArrive(false)
                }
                failures = 0
            } catch let error as ReactorError where error.code == .shutdown {
                ledger?.announcementsArrive(false)
                logger.info("commit notices stopped (the pub/sub has shut down); following by polling", metadata: ["channel": "\(channel)"])
                return
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("commit notice subscription failed; subscribing again", metadata: ["channel": "\(channel)", "error": "\(error)"])
            }
            ledger?.announcementsArrive(false)
            ledger?.othersAnnounced()
            wakeup.signal()
            // Never a hot loop, whatever the subscription does.
            try? await Task.sleep(for: .milliseconds(100) * min(max(failures, 1), 50))
        }
    }
}
