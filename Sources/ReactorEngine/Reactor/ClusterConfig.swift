/// How a reactor with a ``JobLedger`` follows the other nodes of its cluster.
public struct ClusterConfig: Sendable, Hashable {
    /// How often the store's operation feed is read for operations other nodes wrote (they invalidate cached
    /// documents, reach subscriptions and advance the processors' watermark).
    public var followInterval: Duration
    /// Operations read from the feed per request.
    public var followBatchSize: Int

    public init(followInterval: Duration = .milliseconds(50), followBatchSize: Int = 256) {
        self.followInterval = followInterval
        self.followBatchSize = max(1, followBatchSize)
    }
}
