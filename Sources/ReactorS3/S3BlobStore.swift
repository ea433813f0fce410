import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore
import Synchronization

/// A ``BlobStore`` on any S3-compatible server (AWS S3, MinIO, moto …), over AsyncHTTPClient with Signature
/// Version 4.
///
/// - Buckets are server buckets named ``S3Configuration/bucketPrefix`` + the bucket's name. A bucket's
///   ``BucketAccess`` is kept in its tagging (`reactor-access = public|private`): Reactor itself serves public reads
///   (`/storage/v1`), so the server-side bucket stays private and no S3 ACL or policy is ever opened.
/// - Bodies stream both ways: a `put` sends the ``BlobBody`` as it is read (`UNSIGNED-PAYLOAD`), checking its length,
///   size limit and checksums on the way and holding back the last buffer until they pass, so a failed check leaves
///   no object. A body of unknown length goes up as a multipart upload of ``partSize`` parts (one part in memory at a
///   time). A `get` returns the answer's body stream.
/// - The SHA-256 of every object Reactor writes is kept in its `x-amz-meta-reactor-sha256` metadata: sent with the
///   object when the caller gave it, otherwise computed while streaming and set by a server-side copy onto itself
///   (objects up to 5 GiB). Multipart completions read the object back once to compute (or verify) it.
/// - A `list` page asks ListObjectsV2 and then `HEAD`s each listed object (16 at a time) for its content type and
///   metadata.
/// - A refused connection, a timeout or a 5xx is ``ReactorError/Code/storageUnavailable`` with `details.backend =
///   "s3"`; S3's error codes map to the store's (`NoSuchKey` → ``ReactorError/Code/blobNotFound`` …).
///
/// The store owns the `HTTPClient` it creates (call ``shutdown()``); one given to ``init(configuration:httpClient:now:)``
/// stays the caller's.
public final class S3BlobStore: BlobStore {
    public var backendName: String { "s3" }

    /// The size of the parts a body of unknown length is uploaded in (8 MiB).
    public static let partSize = 8 << 20
    /// The largest object sent in one `PUT` (S3's limit); longer bodies go up as multipart uploads.
    public static let maximumSinglePutSize: Int64 = 5 << 30
    /// The largest part of unknown length accepted by ``uploadPart(_:key:in:partNumber:body:)`` (it is read into memory
    /// to learn its length); give the body's length for larger parts.
    public static let maximumBufferedPartSize = 64 << 20

    let transport: S3Transport
    private let ownsClient: Bool

    /// A store for `configuration`.
    ///
    /// - Parameters:
    ///   - configuration: The server, credentials and timeouts.
    ///   - httpClient: The client to send with (not shut down by the store); nil makes the store create one with the
    ///     configuration's timeouts, shut down by ``shutdown()``.
    ///   - now: The clock that dates signatures (tests freeze it).
    /// - Throws: ``ReactorError/Code/configInvalid`` naming the `storage.*` key of a bad value.
    public init(configuration: S3Configuration, httpClient: HTTPClient? = nil, now: @escaping @Sendable () -> Date = { Date() }) throws {
        let endpoint = try configuration.parsedEndpoint()
        let client = httpClient ?? Self.makeClient(configuration)
        self.ownsClient = httpClient == nil
        self.transport = S3Transport(
            configuration: configuration, endpoint: endpoint,
            signer: SigV4Signer(credentials: configuration.credentials, region: configuration.region), client: client, now: now)
    }

    /// The HTTP clients of ``sharedClient(for:)``, one per pair of timeouts; they live as long as the process.
    private static let sharedClients = Mutex<[String: HTTPClient]>([:])

    /// A client with `configuration`'s timeouts (connect, and read: the longest wait for bytes of a stream), shared by
    /// every store with the same timeouts and never shut down, like `HTTPClient.shared`: for stores that live as
    /// long as the process (the server's), so nothing has to shut them down.
    public static func sharedClient(for configuration: S3Configuration) -> HTTPClient {
        let key = "\(configuration.connectTimeout)/\(configuration.requestTimeout)"
        return sharedClients.withLock { clients in
            if let client = clients[key] { return client }
            let client = makeClient(configuration)
            clients[key] = client
            return client
        }
    }

    /// A new client with `configuration`'s timeouts; a refused connection fails at once (no retries until a deadline).
    static func makeClient(_ configuration: S3Configuration) -> HTTPClient {
        var http = HTTPClient.Configuration()
        http.connectionPool.retryConnectionEstablishment = false
        http.timeout = .init(connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.requestTimeout))
        http.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Shuts down the HTTP client the store created (nothing when it was given one). Call once, when done.
    public func shutdown() async throws {
        if ownsClient { try await transport.client.shutdown() }
    }

    // MARK: Signed URLs

    public func signedURL(_ method: SignedBlobURL.Method, key: BlobKey, in bucket: BucketName, expiresIn: Duration) async throws -> SignedBlobURL {
        let seconds = Int(expiresIn.components.seconds)
        guard expiresIn > .zero, seconds >= 1, seconds <= SigV4Signer.maximumPresignSeconds else {
            throw ReactorError(.invalidArgument, "a signed URL must expire within 1 second to 7 days",
                               details: ["argument": "expiresIn", "limit": String(SigV4Signer.maximumPresignSeconds)])
        }
        let now = transport.now()
        let (host, path) = transport.location(bucket: bucket, key: key)
        let query = transport.signer.presignedQuery(
            method: method.rawValue, host: transport.endpoint.hostHeader(host), encodedPath: path, expires: seconds, date: AmzDate(now))
        return SignedBlobURL(url: transport.endpoint.origin(host) + path + "?" + query, method: method,
                             expiresAt: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down) + Double(seconds)))
    }
}
