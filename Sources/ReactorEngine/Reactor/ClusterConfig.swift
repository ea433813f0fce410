/// How a reactor with a ``JobLedger`` follows the other nodes of its cluster.
public struct ClusterConfig: Sendable, Hashable {
    /// How often the store's operation feed is read for operations other nodes wrote (they invalidate cached
    /// documents, reach subscriptions and advance the processors' watermark), when the nodes send no commit notices.
    public var followInterval: Duration
    /// With commit notices (``ReactorBuilder/withCommitNotices(_:channel:)``): how long the follower waits for a
    /// notice before it reads the feed anyway (a notice can be lost when a connection drops).
    public var notifiedFollowInterval: Duration
    /// Operations read from the feed per request.
    public var followBatchSize: Int

    public init(followInterval: Duration = .milliseconds(50), notifiedFollowInterval: Duration = .seconds(1), followBatchSize: Int = 256) {
        self.followInterval = followInterval
        self.notifiedFollowInterval = notifiedFollowInterval
        self.followBatchSize = max(1, followBatchSize)
    }
}
