import Crypto
import Foundation
import NIOCore
import ReactorCore
import Synchronization

/// A ``BlobBody`` on its way to S3, checked while it streams: its length against the announced one and the size
/// limit, its SHA-256 (and MD5) against the expected ones.
///
/// The last buffer is held back until the source has ended and every check passed, so a body that fails a check
/// never reaches the server whole: the request is cut short, and S3 stores nothing (a `PUT` with a `Content-Length`
/// is all or nothing). The SHA-256 of the bytes sent is kept for the object's metadata.
struct S3StreamedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// What the checks found, read after the request.
    final class Outcome: Sendable {
        private let state = Mutex<(failure: ReactorError?, sha256: String?)>((nil, nil))
        var failure: ReactorError? { state.withLock { $0.failure } }
        var sha256: String? { state.withLock { $0.sha256 } }
        func fail(_ error: ReactorError) { state.withLock { $0.failure = error } }
        func finish(sha256: String) { state.withLock { $0.sha256 = sha256 } }
    }

    let source: BlobBody
    let length: Int64
    let expectedSHA256: String?
    let expectedMD5: String?
    let maxSize: Int64?
    let outcome = Outcome()

    /// The error a check failed with, if one did.
    var failure: ReactorError? { outcome.failure }

    func makeAsyncIterator() -> Iterator {
        Iterator(source: source.makeAsyncIterator(), body: self, md5: expectedMD5 == nil ? nil : Insecure.MD5())
    }

    struct Iterator: AsyncIteratorProtocol {
        var source: BlobBody.Iterator
        let body: S3StreamedBody
        var sha = SHA256()
        var md5: Insecure.MD5?
        var count: Int64 = 0
        var held: ByteBuffer?
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            while true {
                guard let buffer = try await source.next() else {
                    finished = true
                    try verify()
                    return held
                }
                guard buffer.readableBytes > 0 else { continue }
                count += Int64(buffer.readableBytes)
                if let max = body.maxSize, count > max {
                    throw fail(ReactorError(.payloadTooLarge, "the object is larger than \(max) bytes", details: ["limit": String(max)]))
                }
                if count > body.length {
                    throw fail(ReactorError(.badRequest, "the body is longer than the \(body.length) bytes announced",
                                            details: ["size": String(body.length)]))
                }
                buffer.withUnsafeReadableBytes { bytes in
                    sha.update(bufferPointer: bytes)
                    md5?.update(bufferPointer: bytes)
                }
                let previous = held
                held = buffer
                if let previous { return previous }
            }
        }

        private mutating func verify() throws {
            guard count == body.length else {
                throw fail(ReactorError(.badRequest, "the body ended after \(count) of the \(body.length) bytes announced",
                                        details: ["size": String(body.length)]))
            }
            let digest = sha.finalize().hexString
            if let expected = body.expectedSHA256, expected != digest {
                throw fail(ReactorError(.blobChecksumMismatch, "the bytes do not have the expected SHA-256; nothing was stored",
                                        details: ["expected": expected, "actual": digest, "algorithm": "sha256"]))
            }
            if let expected = body.expectedMD5, let md5 {
                let actual = Data(md5.finalize()).base64EncodedString()
                if expected != actual {
                    throw fail(ReactorError(.blobChecksumMismatch, "the bytes do not have the expected MD5; nothing was stored",
                                            details: ["expected": expected, "actual": actual, "algorithm": "md5"]))
                }
            }
            body.outcome.finish(sha256: digest)
        }

        private func fail(_ error: ReactorError) -> ReactorError {
            body.outcome.fail(error)
            return error
        }
    }
}

/// A streamed S3 answer body whose transport failures (a read timeout, a dropped connection) become
/// `STORAGE_UNAVAILABLE` errors naming the backend.
struct S3ResponseBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let endpoint: String

    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator(), endpoint: endpoint) }

    struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let endpoint: String
        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw S3ErrorMapping.unreachable(error, endpoint: endpoint)
            }
        }
    }
}
