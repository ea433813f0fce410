import ReactorConfig
import ReactorCore

#if S3
import ReactorS3

/// Opens the S3-compatible blob store named by `[storage] backend = "s3"`.
enum S3Backend {
    static func open(_ resolved: ReactorConfiguration) throws -> (any BlobStore, String) {
        let storage = resolved.storage
        let configuration = S3Configuration(
            endpoint: storage.endpoint, region: storage.region,
            credentials: AWSCredentials(accessKeyID: storage.accessKeyID, secretAccessKey: storage.secretAccessKey),
            addressing: storage.addressing == .virtual ? .virtual : .path, bucketPrefix: storage.bucketPrefix,
            connectTimeout: .milliseconds(Int64((storage.connectTimeoutSeconds * 1000).rounded())),
            requestTimeout: .milliseconds(Int64((storage.requestTimeoutSeconds * 1000).rounded())))
        // The server's store lives as long as the process: it uses a shared client, nothing to shut down.
        let store = try S3BlobStore(configuration: configuration, httpClient: S3BlobStore.sharedClient(for: configuration))
        let prefix = storage.bucketPrefix.isEmpty ? "" : ", bucket prefix \(storage.bucketPrefix)"
        return (store, "s3 \(storage.endpoint) (\(storage.addressing.rawValue)-style\(prefix); signed URLs: S3 presigned)")
    }
}
#else

/// Built without the `S3` trait: an S3 configuration stops the boot with a message naming the trait.
enum S3Backend {
    static func open(_ resolved: ReactorConfiguration) throws -> (any BlobStore, String) {
        throw CompiledTraits.missing("S3", key: "storage.backend", value: "s3")
    }
}
#endif
