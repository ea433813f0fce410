import NIOCore

/// An object's bytes as a stream of buffers: what a `put` reads and a `get` returns.
///
/// A body is consumed once. It wraps any `AsyncSequence` of `ByteBuffer`s (an HTTP request body, a file read in
/// chunks, an S3 response) so adapters never need the whole object in memory.
public struct BlobBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    /// The number of bytes the body will yield, when known in advance (an HTTP `Content-Length`, a file's size).
    public let length: Int64?
    private let makeNext: @Sendable () -> @Sendable () async throws -> ByteBuffer?

    /// A body that yields `base`'s buffers.
    public init<Base: AsyncSequence & Sendable>(_ base: Base, length: Int64? = nil) where Base.Element == ByteBuffer {
        self.length = length
        self.makeNext = {
            let iterator = IteratorBox(base.makeAsyncIterator())
            return { try await iterator.next() }
        }
    }

    /// A body holding `bytes`.
    public static func bytes(_ bytes: some Collection<UInt8> & Sendable) -> BlobBody {
        let buffer = ByteBuffer(bytes: bytes)
        return BlobBody(OneBuffer(buffer: buffer), length: Int64(buffer.readableBytes))
    }

    /// An empty body.
    public static var empty: BlobBody { bytes([UInt8]()) }

    public func makeAsyncIterator() -> Iterator { Iterator(next: makeNext()) }

    /// Reads the whole body into one array; throws ``ReactorError/Code/payloadTooLarge`` past `limit` bytes.
    public func collect(limit: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        if let length, length <= Int64(limit) { result.reserveCapacity(Int(length)) }
        for try await buffer in self {
            guard result.count + buffer.readableBytes <= limit else {
                throw ReactorError(.payloadTooLarge, "the object is larger than \(limit) bytes", details: ["limit": String(limit)])
            }
            result.append(contentsOf: buffer.readableBytesView)
        }
        return result
    }

    /// The iterator: yields the buffers in order, then nil.
    public struct Iterator: AsyncIteratorProtocol {
        let next: @Sendable () async throws -> ByteBuffer?
        public mutating func next() async throws -> ByteBuffer? { try await next() }
    }

    /// One consumer's iterator. A body is consumed by one task at a time, so the lock only makes the hand-over safe.
    private final class IteratorBox<Inner: AsyncIteratorProtocol>: @unchecked Sendable where Inner.Element == ByteBuffer {
        private var inner: Inner
        init(_ inner: Inner) { self.inner = inner }
        func next() async throws -> ByteBuffer? { try await inner.next() }
    }

    private struct OneBuffer: AsyncSequence, Sendable {
        let buffer: ByteBuffer
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
        struct AsyncIterator: AsyncIteratorProtocol {
            var buffer: ByteBuffer?
            mutating func next() async -> ByteBuffer? {
                defer { buffer = nil }
                return buffer
            }
        }
    }
}
