import NIOCore

extension BlobBody {
    /// A body yielding `buffers` in order (objects already in memory, tests with several chunks).
    public static func buffers(_ buffers: [ByteBuffer]) -> BlobBody {
        BlobBody(BufferList(buffers: buffers), length: buffers.reduce(Int64(0)) { $0 + Int64($1.readableBytes) })
    }

    /// A body of `bytes` cut into buffers of `chunkSize` bytes.
    public static func chunks(_ bytes: [UInt8], chunkSize: Int) -> BlobBody {
        let size = Swift.max(1, chunkSize)
        return buffers(stride(from: 0, to: bytes.count, by: size).map { ByteBuffer(bytes: bytes[$0..<Swift.min($0 + size, bytes.count)]) })
    }

    private struct BufferList: AsyncSequence, Sendable {
        let buffers: [ByteBuffer]
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: buffers.makeIterator()) }
        struct AsyncIterator: AsyncIteratorProtocol {
            var inner: IndexingIterator<[ByteBuffer]>
            mutating func next() async -> ByteBuffer? { inner.next() }
        }
    }
}
