import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore
import ReactorServer

/// Streams files to and from `/storage/v1` for `reactor blob put|get`: never the whole file in memory, the SHA-256
/// computed on the way and checked against the server's, a progress line on standard error for large files.
struct BlobTransfer: Sendable {
    let client: ServerAPIClient
    /// Whether to show progress (off with `--json` or `--quiet`).
    let showProgress: Bool

    /// Files at least this large show progress.
    static let progressThreshold: Int64 = 8 << 20

    /// `/storage/v1/buckets/<bucket>/objects/<key>`, the key percent-encoded.
    static func objectPath(_ bucket: BucketName, _ key: BlobKey) -> String {
        "/storage/v1/buckets/\(bucket.rawValue)/objects/\(BlobURLSigner.encodePath(key.rawValue))"
    }

    /// Uploads `file` and returns the stored object's JSON description.
    func put(file: String, bucket: BucketName, key: BlobKey, contentType: String?) async throws -> JSONValue {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw ReactorError(.invalidArgument, "cannot read '\(file)'")
        }
        defer { try? handle.close() }
        let size = Int64(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        let path = Self.objectPath(bucket, key)
        var request = HTTPClientRequest(url: client.baseURL + path)
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: contentType ?? Self.guessContentType(file))
        if let token = client.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let progress = Progress(label: "put \(bucket)/\(key)", total: size, enabled: showProgress && size >= Self.progressThreshold)
        let digest = DigestBox()
        request.body = .stream(FileReader(handle: handle, progress: progress, digest: digest), length: .known(size))
        let (status, json) = try await send(request, path: path)
        progress.finish()
        guard (200..<300).contains(status) else { throw ServerAPIClient.failure(json, status: status, "PUT", path) }
        let local = digest.hex()
        if let remote = json["sha256"]?.stringValue, remote != local {
            throw ReactorError(.blobChecksumMismatch, "the server stored other bytes than were sent (SHA-256 \(remote), sent \(local))")
        }
        return json
    }

    /// Downloads the object into `file` (`-`: standard output) and returns its size and SHA-256.
    func get(bucket: BucketName, key: BlobKey, to file: String) async throws -> (size: Int64, sha256: String) {
        let path = Self.objectPath(bucket, key)
        var request = HTTPClientRequest(url: client.baseURL + path)
        if let token = client.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        do {
            response = try await HTTPSyncChannel.sharedClient.execute(request, timeout: .hours(24))
        } catch {
            throw client.unreachable(error)
        }
        let status = Int(response.status.code)
        guard status == 200 else {
            let bytes = try await response.body.collect(upTo: 1 << 20)
            throw ServerAPIClient.failure((try? JSONValueCoder.parse(Array(bytes.readableBytesView))) ?? .null, status: status, "GET", path)
        }
        let total = response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
        let expected = response.headers.first(name: "x-reactor-sha256")
        let toStdout = file == "-"
        let partial = file + ".part-\(UUID().uuidString.prefix(8))"
        let output: FileHandle
        if toStdout {
            output = FileHandle.standardOutput
        } else {
            guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
                throw ReactorError(.invalidArgument, "cannot write '\(file)'")
            }
            output = handle
        }
        let progress = Progress(label: "get \(bucket)/\(key)", total: total, enabled: showProgress && total >= Self.progressThreshold)
        var hash = SHA256()
        var size: Int64 = 0
        do {
            for try await buffer in response.body {
                buffer.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                try output.write(contentsOf: buffer.readableBytesView)
                size += Int64(buffer.readableBytes)
                progress.advance(by: Int64(buffer.readableBytes))
            }
            progress.finish()
            let sha256 = BlobIntegrity.hex(hash.finalize())
            if let expected, expected != sha256 {
                throw ReactorError(.blobChecksumMismatch, "the bytes received do not have the object's SHA-256")
            }
            if !toStdout {
                try output.close()
                guard rename(partial, file) == 0 else { throw ReactorError(.invalidArgument, "cannot write '\(file)'") }
            }
            return (size, sha256)
        } catch {
            if !toStdout { try? FileManager.default.removeItem(atPath: partial) }
            if let error = error as? ReactorError { throw error }
            throw client.unreachable(error)
        }
    }

    private func send(_ request: HTTPClientRequest, path: String) async throws -> (Int, JSONValue) {
        do {
            let response = try await HTTPSyncChannel.sharedClient.execute(request, timeout: .hours(24))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), (try? JSONValueCoder.parse(Array(bytes.readableBytesView))) ?? .null)
        } catch let error as ReactorError {
            throw error
        } catch {
            throw client.unreachable(error)
        }
    }

    /// A media type from a file's extension (`application/octet-stream` when unknown).
    static func guessContentType(_ file: String) -> String {
        let types = ["txt": "text/plain", "html": "text/html", "css": "text/css", "js": "text/javascript", "json": "application/json",
                     "csv": "text/csv", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
                     "svg": "image/svg+xml", "pdf": "application/pdf", "zip": "application/zip", "wasm": "application/wasm",
                     "mp4": "video/mp4", "md": "text/markdown"]
        return types[URL(fileURLWithPath: file).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}

/// A file read in 1 MiB chunks, hashed and counted as it goes.
private struct FileReader: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle
    let progress: Progress
    let digest: DigestBox

    func makeAsyncIterator() -> Iterator { Iterator(reader: self) }

    struct Iterator: AsyncIteratorProtocol {
        let reader: FileReader
        mutating func next() async throws -> ByteBuffer? {
            guard let data = try reader.handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            reader.digest.update(data)
            reader.progress.advance(by: Int64(data.count))
            return ByteBuffer(bytes: data)
        }
    }
}

/// The running SHA-256 of an upload (one reader at a time).
private final class DigestBox: @unchecked Sendable {
    private let lock = NSLock()
    private var hash = SHA256()
    func update(_ data: Data) { lock.withLock { hash.update(data: data) } }
    func hex() -> String { lock.withLock { BlobIntegrity.hex(hash.finalize()) } }
}

/// A progress line on standard error, redrawn at most every 200 ms: bytes done, total, percent, rate.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let total: Int64
    private let enabled: Bool
    private let started = Date()
    private var done: Int64 = 0
    private var lastDraw = Date.distantPast

    init(label: String, total: Int64, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    func advance(by count: Int64) {
        guard enabled else { return }
        lock.withLock {
            done += count
            if Date().timeIntervalSince(lastDraw) >= 0.2 { draw(final: false) }
        }
    }

    func finish() {
        guard enabled else { return }
        lock.withLock { draw(final: true) }
    }

    private func draw(final: Bool) {
        lastDraw = Date()
        let seconds = max(0.001, lastDraw.timeIntervalSince(started))
        let percent = total > 0 ? Int(Double(done) * 100 / Double(total)) : 100
        let line = "\r\(label): \(Self.mib(done)) / \(Self.mib(total)) MiB (\(percent) %), \(Self.mib(Int64(Double(done) / seconds))) MiB/s"
        FileHandle.standardError.write(Data((line + (final ? "\n" : "")).utf8))
    }

    private static func mib(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
}
