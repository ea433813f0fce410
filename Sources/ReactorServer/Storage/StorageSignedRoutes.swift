import Foundation
import HTTPTypes
import Hummingbird
import ReactorCore

/// `/storage/v1/signed/{bucket}/{key}?expires=…&signature=…`: serves the URLs a ``ServerSignedBlobStore`` signed,
/// without a bearer token. A URL that is malformed, tampered with, expired or used with another method is 403
/// `SIGNED_URL_INVALID`; a store whose URLs point elsewhere (S3) answers 404 here.
struct StorageSignedRoutes: Sendable {
    let deps: ServerDependencies
    let store: any BlobStore

    @Sendable func get(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let (bucket, key) = try verified(request, context: context)
        return try await StorageTransfer(store: store, maxObjectBytes: deps.options.maxObjectBytes).get(request, key: key, bucket: bucket)
    }

    @Sendable func put(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let (bucket, key) = try verified(request, context: context)
        return try await StorageTransfer(store: store, maxObjectBytes: deps.options.maxObjectBytes).put(request, key: key, bucket: bucket)
    }

    /// The bucket and key of a URL whose signature holds for this request's method.
    private func verified(_ request: Request, context: ReactorRequestContext) throws -> (BucketName, BlobKey) {
        guard let signer = (store as? any ServerSignedBlobStore)?.urlSigner else {
            throw ReactorError(.notFound, "this server's blob store does not serve signed URLs itself")
        }
        let bucketText = try context.parameters.required("bucket")
        let prefix = "\(BlobURLSigner.pathPrefix)/\(bucketText)/"
        let path = request.uri.path
        guard path.hasPrefix(prefix), let key = String(path.dropFirst(prefix.count)).removingPercentEncoding else {
            throw ReactorError(.signedURLInvalid, "the signed URL is malformed")
        }
        let query = QueryParameters(request)
        try signer.verify(method: request.method.rawValue, bucket: bucketText, key: key,
                          expires: query.string("expires"), signature: query.string("signature"))
        return (try BucketName(bucketText), try BlobKey(key))
    }
}
