import NIOCore
import NIOPosix
import ReactorCore

/// A file's bytes `range` read in chunks on NIO's thread pool: the body of a download. The file stays open until
/// the sequence is dropped, so an object replaced or deleted meanwhile is still read whole.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: FileDescriptor
    let range: Range<Int64>
    let chunkSize: Int

    func makeAsyncIterator() -> Iterator { Iterator(file: file, offset: range.lowerBound, end: range.upperBound, chunkSize: chunkSize) }

    struct Iterator: AsyncIteratorProtocol {
        let file: FileDescriptor
        var offset: Int64
        let end: Int64
        let chunkSize: Int

        mutating func next() async throws -> ByteBuffer? {
            guard offset < end else { return nil }
            let count = Int(Swift.min(Int64(chunkSize), end - offset))
            let (file, start) = (self.file, offset)
            let buffer = try await NIOThreadPool.singleton.runIfActive {
                try BlobFiles.readChunk(file.fd, offset: start, count: count, allocator: ByteBufferAllocator())
            }
            guard buffer.readableBytes > 0 else {
                throw ReactorError(.storageUnavailable, "an object's file is shorter than recorded", details: ["backend": "fs"])
            }
            offset += Int64(buffer.readableBytes)
            return buffer
        }
    }
}
