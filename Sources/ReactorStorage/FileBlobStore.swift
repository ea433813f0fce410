import Crypto
import Foundation
import NIOCore
import NIOPosix
import ReactorCore
import Synchronization

/// The embedded ``BlobStore``: buckets are directories under one root (`<data_dir>/blobs` by default).
///
/// Layout: `<root>/<bucket>/bucket.json`, and per object `<root>/<bucket>/objects/<aa>/<h>.json` (the sidecar: the
/// object's description and the name of its data file) with `<h>.<version>.data` beside it, where `h` is the SHA-256
/// of the key in hex. File names never come from keys, so no key (whatever ``BlobKey`` let through) can name a path
/// outside the root; links are never followed when a file is opened, and a bucket directory that is a link counts as
/// missing.
///
/// A `put` streams the body into a new file under `<root>/.tmp` while it computes the SHA-256 (and `Content-MD5`),
/// flushes it (`fsync`), then renames it to a new data file and atomically replaces the sidecar: a crash or a failed
/// check never leaves a half-written object, and readers see the old object or the new one. Reads stream the data
/// file in chunks on NIO's thread pool; no object is ever held in memory. Multipart parts live in
/// `<root>/.uploads/<id>/` until the upload completes or is aborted. Signed URLs are HMAC-SHA256 (``urlSigner``),
/// checked and served by the Reactor server.
public final class FileBlobStore: ServerSignedBlobStore {
    public var backendName: String { "fs" }
    /// The root directory.
    public let root: String
    /// The signer of this store's URLs.
    public let urlSigner: BlobURLSigner
    private let now: @Sendable () -> Date
    private let chunkSize: Int
    /// Held while a commit swaps an object's files (a few system calls), so concurrent writers of one key never
    /// orphan a data file.
    private let commitLock = Mutex(())

    /// A store under `root` (created if missing). `chunkSize` is the size of the buffers reads yield and writes flush.
    public init(root: String, signer: BlobURLSigner, chunkSize: Int = 1 << 20, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.urlSigner = signer
        self.chunkSize = max(4096, chunkSize)
        self.now = now
        try BlobFiles.makeDirectories(self.root)
        try BlobFiles.makeDirectories(tmpDir)
        try BlobFiles.makeDirectories(uploadsDir)
    }

    // MARK: Paths

    private var tmpDir: String { root + "/.tmp" }
    private var uploadsDir: String { root + "/.uploads" }
    private func bucketDir(_ bucket: BucketName) -> String { root + "/" + bucket.rawValue }
    private func objectsDir(_ bucket: BucketName) -> String { bucketDir(bucket) + "/objects" }
    private func shardDir(_ bucket: BucketName, _ hash: String) -> String { objectsDir(bucket) + "/" + hash.prefix(2) }
    private func sidecar(_ bucket: BucketName, _ hash: String) -> String { shardDir(bucket, hash) + "/" + hash + ".json" }
    private func temporaryPath() -> String { tmpDir + "/" + BlobFiles.randomHex(16) }
    private static func hash(_ key: BlobKey) -> String { BlobIntegrity.hex(SHA256.hash(data: Array(key.rawValue.utf8))) }

    private func io<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    // MARK: Buckets

    public func createBucket(_ bucket: BucketName, access: BucketAccess) async throws -> BucketInfo {
        let info = BucketInfo(name: bucket, access: access, createdAt: now())
        try await io { [self] in
            try commitLock.withLock { _ in
                let dir = bucketDir(bucket)
                if BlobFiles.kind(dir + "/bucket.json") != .missing { throw BlobErrors.bucketExists(bucket) }
                guard BlobFiles.kind(dir) == .missing || BlobFiles.kind(dir) == .directory else { throw BlobErrors.bucketExists(bucket) }
                try BlobFiles.makeDirectory(dir)
                try BlobFiles.makeDirectory(dir + "/objects")
                try BlobFiles.writeAtomically(RecordCoding.encode(FileBucketRecord(access: access, createdAt: info.createdAt)),
                                              to: dir + "/bucket.json", temporary: temporaryPath())
                BlobFiles.syncDirectory(root)
            }
        }
        return info
    }

    public func bucket(_ bucket: BucketName) async throws -> BucketInfo? {
        try await io { [self] in try bucketInfo(bucket) }
    }

    public func listBuckets() async throws -> [BucketInfo] {
        try await io { [self] in
            try BlobFiles.names(root).compactMap { name in try? BucketName(name) }.compactMap { try bucketInfo($0) }.sorted { $0.name < $1.name }
        }
    }

    public func deleteBucket(_ bucket: BucketName) async throws {
        try await io { [self] in
            try commitLock.withLock { _ in
                guard try bucketInfo(bucket) != nil else { throw BlobErrors.bucketNotFound(bucket) }
                guard !hasObjects(bucket), try !uploadRecords().contains(where: { $0.record.bucket == bucket }) else {
                    throw BlobErrors.bucketNotEmpty(bucket)
                }
                // Out of sight at once, then removed.
                let doomed = temporaryPath()
                try BlobFiles.renameFile(bucketDir(bucket), to: doomed)
                BlobFiles.removeTree(doomed)
            }
        }
    }

    private func bucketInfo(_ bucket: BucketName) throws -> BucketInfo? {
        guard BlobFiles.kind(bucketDir(bucket)) == .directory, BlobFiles.kind(objectsDir(bucket)) == .directory,
              let bytes = try BlobFiles.contents(bucketDir(bucket) + "/bucket.json")
        else { return nil }
        let record = try RecordCoding.decode(FileBucketRecord.self, bytes)
        return BucketInfo(name: bucket, access: record.access, createdAt: record.createdAt)
    }

    private func requireBucket(_ bucket: BucketName) throws {
        guard try bucketInfo(bucket) != nil else { throw BlobErrors.bucketNotFound(bucket) }
    }

    private func hasObjects(_ bucket: BucketName) -> Bool {
        BlobFiles.names(objectsDir(bucket)).contains { shard in
            BlobFiles.names(objectsDir(bucket) + "/" + shard).contains { $0.hasSuffix(".json") }
        }
    }

    // MARK: Objects

    @discardableResult
    public func put(_ key: BlobKey, in bucket: BucketName, body: BlobBody, options: BlobPutOptions) async throws -> BlobInfo {
        try await io { [self] in try requireBucket(bucket) }
        let received = try await receive(body, options: options)
        let info = BlobInfo(bucket: bucket, key: key, size: received.size, contentType: options.contentType,
                            etag: BlobIntegrity.etag(sha256: received.sha256), sha256: received.sha256, metadata: options.metadata, lastModified: now())
        try await commitObject(temporary: received.path, info: info)
        return info
    }

    public func get(_ key: BlobKey, in bucket: BucketName, range: BlobByteRange?) async throws -> BlobDownload {
        let (record, file) = try await io { [self] () -> (FileObjectRecord, FileDescriptor) in
            try requireBucket(bucket)
            // A writer may replace the object between reading the sidecar and opening its data file: read again.
            for _ in 0..<3 {
                let record = try readRecord(key, in: bucket)
                if let fd = try BlobFiles.openForReading(shardDir(bucket, Self.hash(key)) + "/" + record.dataFile) {
                    return (record, FileDescriptor(fd))
                }
            }
            throw BlobErrors.blobNotFound(key, in: bucket)
        }
        let size = record.info.size
        let selected = try range.map { try $0.resolve(size: size) }
        let bounds: ClosedRange<Int64>? = selected ?? (size > 0 ? 0...(size - 1) : nil)
        let span = bounds.map { $0.lowerBound..<($0.upperBound + 1) } ?? 0..<0
        let body = BlobBody(FileChunks(file: file, range: span, chunkSize: chunkSize), length: Int64(span.count))
        return BlobDownload(info: record.info, range: bounds, isPartial: selected != nil, body: body)
    }

    public func head(_ key: BlobKey, in bucket: BucketName) async throws -> BlobInfo? {
        try await io { [self] in
            try requireBucket(bucket)
            return try? readRecord(key, in: bucket).info
        }
    }

    @discardableResult
    public func delete(_ key: BlobKey, in bucket: BucketName) async throws -> Bool {
        try await io { [self] in
            try requireBucket(bucket)
            return commitLock.withLock { _ in
                let hash = Self.hash(key)
                guard let record = try? readRecord(key, in: bucket) else { return false }
                BlobFiles.remove(sidecar(bucket, hash))
                BlobFiles.remove(shardDir(bucket, hash) + "/" + record.dataFile)
                BlobFiles.syncDirectory(shardDir(bucket, hash))
                return true
            }
        }
    }

    public func list(in bucket: BucketName, prefix: String, continuation: String?, limit: Int) async throws -> BlobListing {
        try BlobPaging.checkLimit(limit)
        let infos = try await io { [self] () -> [BlobInfo] in
            try requireBucket(bucket)
            var infos: [BlobInfo] = []
            for shard in BlobFiles.names(objectsDir(bucket)) where shard.utf8.count == 2 {
                let dir = objectsDir(bucket) + "/" + shard
                for name in BlobFiles.names(dir) where name.hasSuffix(".json") {
                    guard let bytes = try BlobFiles.contents(dir + "/" + name) else { continue }
                    let info = try RecordCoding.decode(FileObjectRecord.self, bytes).info
                    if info.key.rawValue.hasPrefix(prefix) { infos.append(info) }
                }
            }
            return infos.sorted { $0.key < $1.key }
        }
        return try BlobPaging.page(infos, prefix: prefix, continuation: continuation, limit: limit)
    }

    public func copy(_ source: BlobKey, in sourceBucket: BucketName, to destination: BlobKey, in destinationBucket: BucketName) async throws -> BlobInfo {
        let (record, temporary) = try await io { [self] () -> (FileObjectRecord, String?) in
            try requireBucket(sourceBucket)
            try requireBucket(destinationBucket)
            let record = try readRecord(source, in: sourceBucket)
            // Data files never change once written, so a hard link is a complete copy.
            let temporary = temporaryPath()
            let linked = try BlobFiles.linkFile(shardDir(sourceBucket, Self.hash(source)) + "/" + record.dataFile, to: temporary)
            return (record, linked ? temporary : nil)
        }
        var info = record.info
        info.bucket = destinationBucket
        info.key = destination
        info.lastModified = now()
        if let temporary {
            try await commitObject(temporary: temporary, info: info)
            return info
        }
        let download = try await get(source, in: sourceBucket, range: nil)
        return try await put(destination, in: destinationBucket, body: download.body,
                             options: BlobPutOptions(contentType: info.contentType, metadata: info.metadata))
    }

    private func readRecord(_ key: BlobKey, in bucket: BucketName) throws -> FileObjectRecord {
        guard let bytes = try BlobFiles.contents(sidecar(bucket, Self.hash(key))) else { throw BlobErrors.blobNotFound(key, in: bucket) }
        let record = try RecordCoding.decode(FileObjectRecord.self, bytes)
        guard record.info.key == key else { throw BlobErrors.blobNotFound(key, in: bucket) }
        return record
    }

    // MARK: Writing

    /// Streams `body` into a new, flushed temporary file, checking it against `options`. The file is removed when
    /// anything fails (a check, the disk, the body's source, cancellation).
    private func receive(_ body: BlobBody, options: BlobPutOptions) async throws -> (path: String, sha256: String, size: Int64) {
        var integrity = try BlobIntegrity(options: options, length: body.length)
        let path = temporaryPath()
        let file = try await io { FileDescriptor(try BlobFiles.create(path)) }
        do {
            let allocator = ByteBufferAllocator()
            let chunkSize = self.chunkSize
            var pending = allocator.buffer(capacity: 0)
            for try await buffer in body {
                try integrity.update(buffer)
                if pending.readableBytes == 0, buffer.readableBytes >= chunkSize {
                    try await io { try BlobFiles.writeAll(file.fd, buffer) }
                    continue
                }
                if pending.capacity == 0 { pending = allocator.buffer(capacity: chunkSize) }
                pending.writeImmutableBuffer(buffer)
                if pending.readableBytes >= chunkSize {
                    let full = pending
                    pending = allocator.buffer(capacity: chunkSize)
                    try await io { try BlobFiles.writeAll(file.fd, full) }
                }
            }
            let rest = pending
            let sha256 = try integrity.finish()
            try await io {
                if rest.readableBytes > 0 { try BlobFiles.writeAll(file.fd, rest) }
                try BlobFiles.sync(file.fd)
            }
            return (path, sha256, integrity.size)
        } catch {
            BlobFiles.remove(path)
            throw error
        }
    }

    /// Makes the flushed file at `temporary` the object `info` describes: renames it to a new data file, replaces the
    /// sidecar atomically, then removes the previous version's data file.
    private func commitObject(temporary: String, info: BlobInfo) async throws {
        do {
            try await io { [self] in
                try commitLock.withLock { _ in
                    let hash = Self.hash(info.key)
                    let shard = shardDir(info.bucket, hash)
                    guard try bucketInfo(info.bucket) != nil, try BlobFiles.makeDirectory(shard) else { throw BlobErrors.bucketNotFound(info.bucket) }
                    let dataFile = "\(hash).\(BlobFiles.randomHex(8)).data"
                    try BlobFiles.renameFile(temporary, to: shard + "/" + dataFile)
                    let previous = try? readRecord(info.key, in: info.bucket)
                    do {
                        try BlobFiles.writeAtomically(RecordCoding.encode(FileObjectRecord(info: info, dataFile: dataFile)),
                                                      to: sidecar(info.bucket, hash), temporary: temporaryPath())
                    } catch {
                        BlobFiles.remove(shard + "/" + dataFile)
                        throw error
                    }
                    if let previous, previous.dataFile != dataFile { BlobFiles.remove(shard + "/" + previous.dataFile) }
                    BlobFiles.syncDirectory(shard)
                }
            }
        } catch {
            BlobFiles.remove(temporary)
            throw error
        }
    }

    // MARK: Signed URLs

    public func signedURL(_ method: SignedBlobURL.Method, key: BlobKey, in bucket: BucketName, expiresIn: Duration) async throws -> SignedBlobURL {
        try await io { [self] in try requireBucket(bucket) }
        return try urlSigner.sign(method, bucket: bucket, key: key, expiresIn: expiresIn)
    }

    // MARK: Multipart uploads

    private func uploadDir(_ upload: MultipartUploadID) throws -> String {
        let id = upload.rawValue
        guard id.utf8.count == 32, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw BlobErrors.uploadNotFound(upload)
        }
        return uploadsDir + "/" + id
    }

    private func uploadRecords() throws -> [(id: String, record: FileUploadRecord)] {
        try BlobFiles.names(uploadsDir).compactMap { id in
            guard let bytes = try BlobFiles.contents(uploadsDir + "/" + id + "/upload.json") else { return nil }
            return (id, try RecordCoding.decode(FileUploadRecord.self, bytes))
        }
    }

    private func requireUpload(_ upload: MultipartUploadID, key: BlobKey, bucket: BucketName) throws -> (dir: String, record: FileUploadRecord) {
        try requireBucket(bucket)
        let dir = try uploadDir(upload)
        guard BlobFiles.kind(dir) == .directory, let bytes = try BlobFiles.contents(dir + "/upload.json") else { throw BlobErrors.uploadNotFound(upload) }
        let record = try RecordCoding.decode(FileUploadRecord.self, bytes)
        guard record.bucket == bucket, record.key == key else { throw BlobErrors.uploadNotFound(upload) }
        return (dir, record)
    }

    public func createMultipartUpload(_ key: BlobKey, in bucket: BucketName, options: BlobPutOptions) async throws -> MultipartUploadID {
        try options.validate()
        let id = BlobFiles.randomHex(16)
        try await io { [self] in
            try requireBucket(bucket)
            let dir = uploadsDir + "/" + id
            try BlobFiles.makeDirectory(dir)
            try BlobFiles.writeAtomically(RecordCoding.encode(FileUploadRecord(bucket: bucket, key: key, options: options)),
                                          to: dir + "/upload.json", temporary: temporaryPath())
        }
        return MultipartUploadID(id)
    }

    public func uploadPart(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, partNumber: Int, body: BlobBody) async throws -> BlobPart {
        try BlobPaging.checkPartNumber(partNumber)
        _ = try await io { [self] in try requireUpload(upload, key: key, bucket: bucket) }
        let received = try await receive(body, options: BlobPutOptions())
        let part = BlobPart(number: partNumber, etag: BlobIntegrity.etag(sha256: received.sha256), size: received.size)
        do {
            try await io { [self] in
                try commitLock.withLock { _ in
                    let (dir, _) = try requireUpload(upload, key: key, bucket: bucket)
                    let dataFile = "part-\(partNumber).\(BlobFiles.randomHex(8)).data"
                    let recordPath = dir + "/part-\(partNumber).json"
                    let previous = try BlobFiles.contents(recordPath).map { try RecordCoding.decode(FilePartRecord.self, $0) }
                    try BlobFiles.renameFile(received.path, to: dir + "/" + dataFile)
                    try BlobFiles.writeAtomically(RecordCoding.encode(FilePartRecord(part: part, dataFile: dataFile)), to: recordPath,
                                                  temporary: temporaryPath())
                    if let previous { BlobFiles.remove(dir + "/" + previous.dataFile) }
                }
            }
        } catch {
            BlobFiles.remove(received.path)
            throw error
        }
        return part
    }

    public func completeMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName, parts: [BlobPart]) async throws -> BlobInfo {
        let (dir, record, uploaded) = try await io { [self] () -> (String, FileUploadRecord, [Int: FilePartRecord]) in
            let (dir, record) = try requireUpload(upload, key: key, bucket: bucket)
            var uploaded: [Int: FilePartRecord] = [:]
            for name in BlobFiles.names(dir) where name.hasPrefix("part-") && name.hasSuffix(".json") {
                guard let bytes = try BlobFiles.contents(dir + "/" + name) else { continue }
                let part = try RecordCoding.decode(FilePartRecord.self, bytes)
                uploaded[part.part.number] = part
            }
            return (dir, record, uploaded)
        }
        let ordered = try BlobPaging.checkCompletion(parts, uploaded: uploaded.mapValues(\.part))
        // The parts, joined by streaming each part's file into one new file.
        var files: [FileChunks] = []
        for part in ordered {
            guard let dataFile = uploaded[part.number]?.dataFile,
                  let fd = try await io({ try BlobFiles.openForReading(dir + "/" + dataFile) })
            else { throw BlobErrors.uploadNotFound(upload) }
            files.append(FileChunks(file: FileDescriptor(fd), range: 0..<part.size, chunkSize: chunkSize))
        }
        let joined = BlobBody(JoinedChunks(parts: files), length: ordered.reduce(0) { $0 + $1.size })
        let options = record.options
        let received = try await receive(joined, options: options)
        let info = BlobInfo(bucket: bucket, key: key, size: received.size, contentType: options.contentType,
                            etag: BlobIntegrity.etag(sha256: received.sha256), sha256: received.sha256, metadata: options.metadata, lastModified: now())
        try await commitObject(temporary: received.path, info: info)
        try await io { [self] in
            let doomed = temporaryPath()
            if (try? BlobFiles.renameFile(dir, to: doomed)) != nil { BlobFiles.removeTree(doomed) }
        }
        return info
    }

    public func abortMultipartUpload(_ upload: MultipartUploadID, key: BlobKey, in bucket: BucketName) async throws {
        try await io { [self] in
            try commitLock.withLock { _ in
                let (dir, _) = try requireUpload(upload, key: key, bucket: bucket)
                let doomed = temporaryPath()
                try BlobFiles.renameFile(dir, to: doomed)
                BlobFiles.removeTree(doomed)
            }
        }
    }
}

/// Several files' chunks one after the other (the parts of a multipart upload).
private struct JoinedChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let parts: [FileChunks]
    func makeAsyncIterator() -> Iterator { Iterator(parts: parts[...]) }
    struct Iterator: AsyncIteratorProtocol {
        var parts: ArraySlice<FileChunks>
        var current: FileChunks.Iterator?
        mutating func next() async throws -> ByteBuffer? {
            while true {
                if var iterator = current {
                    let buffer = try await iterator.next()
                    current = iterator
                    if let buffer { return buffer }
                    current = nil
                }
                guard let next = parts.popFirst() else { return nil }
                current = next.makeAsyncIterator()
            }
        }
    }
}
