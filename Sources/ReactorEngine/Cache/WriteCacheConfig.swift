/// Settings of the write cache.
public struct WriteCacheConfig: Sendable, Hashable {
    /// Documents kept (least recently used evicted first). 0 disables the cache.
    public var maxDocuments: Int
    /// Recent states kept per stream, for reads at a recent revision.
    public var ringBufferSize: Int

    public init(maxDocuments: Int = 1_000, ringBufferSize: Int = 10) {
        self.maxDocuments = maxDocuments
        self.ringBufferSize = ringBufferSize
    }
}
