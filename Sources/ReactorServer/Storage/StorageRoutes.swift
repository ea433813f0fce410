import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReactorCore

/// Blob storage under `/storage/v1`: buckets, objects (streamed both ways, ranges, conditional GET), listings, signed
/// URLs, and the signed-URL route that needs no bearer token (``StorageSignedRoutes``).
///
/// With `[auth]` on, every write and every read of a private bucket needs a bearer token; objects and listings of a
/// public bucket are readable without one. Keys arrive percent-encoded in the path and are decoded once, then
/// validated by ``BlobKey`` (so `%2e%2e` is refused like `..`).
struct StorageRoutes: Sendable {
    let deps: ServerDependencies
    let store: any BlobStore

    /// The path prefix of every storage route.
    static let prefix = "/storage/v1"

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.get("buckets", use: listBuckets)
        group.post("buckets", use: createBucket)
        group.get("buckets/{bucket}", use: getBucket)
        group.delete("buckets/{bucket}", use: deleteBucket)
        group.get("buckets/{bucket}/objects", use: listObjects)
        group.put("buckets/{bucket}/objects/**", use: putObject)
        group.get("buckets/{bucket}/objects/**", use: getObject)
        group.head("buckets/{bucket}/objects/**", use: getObject)
        group.delete("buckets/{bucket}/objects/**", use: deleteObject)
        group.post("buckets/{bucket}/sign", use: sign)
        let signed = StorageSignedRoutes(deps: deps, store: store)
        group.get("signed/{bucket}/**", use: signed.get)
        group.head("signed/{bucket}/**", use: signed.get)
        group.put("signed/{bucket}/**", use: signed.put)
    }

    // MARK: Buckets

    @Sendable func listBuckets(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try requireCaller(context)
        let buckets = try await store.listBuckets()
        return JSONResponse.make(.object(["buckets": .array(buckets.map(StorageRepresentations.bucket))]))
    }

    @Sendable func createBucket(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try requireCaller(context)
        let body = try await RequestDecoding.decode(CreateBucketBody.self, from: request, limit: deps.options.maxBodyBytes)
        let name = try BucketName(body.name)
        let access: BucketAccess = (body.public ?? false) ? .public : .private
        let info = try await store.createBucket(name, access: access)
        return JSONResponse.make(StorageRepresentations.bucket(info), status: .created)
    }

    @Sendable func getBucket(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let info = try await readableBucket(context)
        return JSONResponse.make(StorageRepresentations.bucket(info))
    }

    @Sendable func deleteBucket(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try requireCaller(context)
        try await store.deleteBucket(try bucketName(context))
        return Response(status: .noContent)
    }

    // MARK: Objects

    @Sendable func listObjects(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let bucket = try await readableBucket(context).name
        let query = QueryParameters(request)
        let limit = try query.int("limit", in: 1...BlobStoreLimits.maximumListLimit) ?? BlobStoreLimits.maximumListLimit
        let prefix = query.string("prefix") ?? ""
        let listing = try await store.list(in: bucket, prefix: prefix, continuation: query.string("continuation"), limit: limit)
        var body: [String: JSONValue] = ["objects": .array(listing.objects.map(StorageRepresentations.object)), "prefix": .string(prefix)]
        body["nextContinuation"] = listing.nextContinuation.map { .string($0) } ?? .null
        return JSONResponse.make(.object(body))
    }

    @Sendable func putObject(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try requireCaller(context)
        let bucket = try bucketName(context)
        let key = try Self.objectKey(request, after: "\(Self.prefix)/buckets/\(bucket.rawValue)/objects/")
        return try await StorageTransfer(store: store, maxObjectBytes: deps.options.maxObjectBytes).put(request, key: key, bucket: bucket)
    }

    @Sendable func getObject(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let bucket = try await readableBucket(context).name
        let key = try Self.objectKey(request, after: "\(Self.prefix)/buckets/\(bucket.rawValue)/objects/")
        return try await StorageTransfer(store: store, maxObjectBytes: deps.options.maxObjectBytes).get(request, key: key, bucket: bucket)
    }

    @Sendable func deleteObject(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try requireCaller(context)
        let bucket = try bucketName(context)
        let key = try Self.objectKey(request, after: "\(Self.prefix)/buckets/\(bucket.rawValue)/objects/")
        guard try await store.delete(key, in: bucket) else { throw BlobErrors.blobNotFound(key, in: bucket) }
        return Response(status: .noContent)
    }

    // MARK: Signed URLs

    @Sendable func sign(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try requireCaller(context)
        let bucket = try bucketName(context)
        let body = try await RequestDecoding.decode(SignBody.self, from: request, limit: deps.options.maxBodyBytes)
        let key = try BlobKey(body.key)
        let method = try SignedBlobURL.Method(rawValue: (body.method ?? "GET").uppercased()).orThrow(
            ReactorError.invalidInput("method must be GET or PUT", path: "method"))
        let seconds = body.expiresIn ?? 3600
        guard seconds >= 1, seconds <= 7 * 24 * 3600 else {
            throw ReactorError.invalidInput("expiresIn must be 1 to 604800 seconds", path: "expiresIn")
        }
        guard try await store.bucket(bucket) != nil else { throw BlobErrors.bucketNotFound(bucket) }
        let url = try await store.signedURL(method, key: key, in: bucket, expiresIn: .seconds(seconds))
        return JSONResponse.make(StorageRepresentations.signedURL(url))
    }

    // MARK: Access

    /// Throws `UNAUTHENTICATED` when auth is on and the request carries no valid token.
    func requireCaller(_ context: ReactorRequestContext) throws {
        if deps.auth != nil, context.claims == nil {
            throw ReactorError(.unauthenticated, "this call needs a bearer token (Authorization: Bearer <token>)")
        }
    }

    func bucketName(_ context: ReactorRequestContext) throws -> BucketName {
        try BucketName(try context.parameters.required("bucket"))
    }

    /// The bucket named in the path, when the caller may read it: anyone for a public bucket, a caller with a token
    /// (when auth is on) for a private one. A private bucket is reported missing to callers without a token.
    func readableBucket(_ context: ReactorRequestContext) async throws -> BucketInfo {
        let name = try bucketName(context)
        let info = try await store.bucket(name)
        if let info, info.access == .public { return info }
        try requireCaller(context)
        guard let info else { throw BlobErrors.bucketNotFound(name) }
        return info
    }

    /// The object key: the raw path after `prefix`, percent-decoded once, then validated.
    static func objectKey(_ request: Request, after prefix: String) throws -> BlobKey {
        let path = request.uri.path
        guard path.hasPrefix(prefix) else { throw ReactorError(.invalidBlobKey, "invalid object key: it is empty") }
        let raw = String(path.dropFirst(prefix.count))
        guard let decoded = raw.removingPercentEncoding else {
            throw ReactorError(.invalidBlobKey, "invalid object key: it is not valid percent-encoded UTF-8")
        }
        return try BlobKey(decoded)
    }
}

/// `POST /storage/v1/buckets`.
struct CreateBucketBody: Decodable {
    var name: String
    var `public`: Bool?
}

/// `POST /storage/v1/buckets/{bucket}/sign`.
struct SignBody: Decodable {
    var key: String
    var method: String?
    var expiresIn: Int?
}

extension Optional {
    /// The value, or `error` thrown.
    func orThrow(_ error: @autoclosure () -> ReactorError) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
