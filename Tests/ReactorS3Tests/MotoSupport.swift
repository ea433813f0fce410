import Foundation
import NIOCore
import ReactorCore
import ReactorS3
import ReactorTesting

/// Stores on the shared moto server, each with its own bucket prefix so tests never see each other's buckets.
enum Moto {
    static let credentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")

    /// A store with a fresh prefix; shut it down with ``S3BlobStore/shutdown()``.
    static func store(prefix: String? = nil, requestTimeout: Duration = .seconds(30)) async throws -> S3BlobStore {
        let endpoint = try await MotoTestServer.shared()
        let random = UUID().uuidString.lowercased().prefix(8)
        return try S3BlobStore(configuration: S3Configuration(
            endpoint: endpoint, region: "us-east-1", credentials: credentials, addressing: .path,
            bucketPrefix: prefix ?? "t\(random)-", requestTimeout: requestTimeout))
    }

    /// Runs `body` with a fresh store and shuts the store down after.
    static func withStore<T: Sendable>(_ body: (S3BlobStore) async throws -> T) async throws -> T {
        let store = try await store()
        do {
            let result = try await body(store)
            try await store.shutdown()
            return result
        } catch {
            try? await store.shutdown()
            throw error
        }
    }
}

/// `count` bytes of a fixed pattern (seeded), for bodies whose content matters (made 8 bytes at a time: a
/// byte-by-byte map of 17 MiB holds a thread of the cooperative pool for many seconds in a debug build).
func patternBytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
    BlobStoreConformance.pattern(count, seed: UInt64(seed))
}

/// A body that yields `bytes` in `chunk`-byte buffers, with or without announcing its length.
func chunkedBody(_ bytes: [UInt8], chunk: Int, announceLength: Bool) -> BlobBody {
    let buffers = stride(from: 0, to: bytes.count, by: chunk).map { ByteBuffer(bytes: bytes[$0..<min($0 + chunk, bytes.count)]) }
    return BlobBody(buffers.async, length: announceLength ? Int64(bytes.count) : nil)
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncArray<Element> { AsyncArray(elements: self) }
}

/// An array as an `AsyncSequence`.
struct AsyncArray<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]
    func makeAsyncIterator() -> Iterator { Iterator(elements: elements) }
    struct Iterator: AsyncIteratorProtocol {
        var elements: [Element]
        var index = 0
        mutating func next() async -> Element? {
            guard index < elements.count else { return nil }
            defer { index += 1 }
            return elements[index]
        }
    }
}

/// Runs `body` and returns the code of the `ReactorError` it throws (nil when it does not throw).
func errorCode(_ body: () async throws -> Void) async -> ReactorError.Code? {
    do {
        try await body()
        return nil
    } catch let error as ReactorError {
        return error.code
    } catch {
        return ReactorError.Code("NOT_A_REACTOR_ERROR: \(error)")
    }
}
