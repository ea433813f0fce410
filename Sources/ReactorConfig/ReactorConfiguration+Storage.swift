import ReactorCore

extension ReactorConfiguration {
    /// `[storage]`: the blob store (buckets of files, signed URLs).
    public struct StorageSection: Sendable, Equatable {
        /// `backend`: where blobs are kept (`fs`).
        public var backend: StorageBackend
        /// `fs_base_path`: the root directory of the `fs` backend; empty means `<data_dir>/blobs`
        /// (see ``ReactorConfiguration/blobsPath``).
        public var fsBasePath: String
        /// `signing_secret`: the HMAC-SHA256 secret of the server's signed URLs (at least 32 bytes); empty means one
        /// generated at first start and kept in the vault (`storage/signing-secret`), so URLs survive restarts.
        public var signingSecret: String
        /// `max_object_bytes`: the largest object one request may upload (5 GiB); larger is 413.
        public var maxObjectBytes: Int
        /// `public_url`: the base URL clients reach this server at (`https://files.example.com`); when set, signed URLs
        /// are absolute, otherwise they start with `/`.
        public var publicURL: String

        // The `s3` backend (see docs/storage.md).
        /// `endpoint`: the S3 server's URL (`https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`).
        public var endpoint: String = ""
        /// `region`: the region requests are signed for (`us-east-1`).
        public var region: String = "us-east-1"
        /// `access_key_id`: the access key id, usually `env:NAME` or `vault:path`.
        public var accessKeyID: String = ""
        /// `secret_access_key`: the secret access key, usually `env:NAME` or `vault:path`.
        public var secretAccessKey: String = ""
        /// `addressing`: `path` (`endpoint/bucket/key`) or `virtual` (`bucket.endpoint/key`).
        public var addressing: S3Addressing = .path
        /// `bucket_prefix`: put before every bucket name on the server.
        public var bucketPrefix: String = ""
        /// `connect_timeout_seconds`: how long connecting to the S3 server may take (5).
        public var connectTimeoutSeconds: Double = 5
        /// `request_timeout_seconds`: how long a request without a streamed body may take, and how long a stream may
        /// wait for bytes (30).
        public var requestTimeoutSeconds: Double = 30

        /// The `[storage]` section with the given values.
        public init(backend: StorageBackend = .fs, fsBasePath: String = "", signingSecret: String = "",
                    maxObjectBytes: Int = 5 << 30, publicURL: String = "") {
            self.backend = backend
            self.fsBasePath = fsBasePath
            self.signingSecret = signingSecret
            self.maxObjectBytes = maxObjectBytes
            self.publicURL = publicURL
        }
    }

    /// The vault path of the generated URL-signing secret (used when `storage.signing_secret` is empty).
    public static let storageSigningSecretPath = "storage/signing-secret"

    /// Problems of `[storage]`.
    func storageProblems(_ add: (String, String) -> Void) {
        s3Problems(add)
        if storage.maxObjectBytes <= 0 { add("storage.max_object_bytes", "must be greater than 0, got \(storage.maxObjectBytes)") }
        if isResolved, !storage.signingSecret.isEmpty, storage.signingSecret.utf8.count < BlobURLSigner.minimumSecretLength {
            add("storage.signing_secret", "must be at least \(BlobURLSigner.minimumSecretLength) bytes (or empty: generated and kept in the vault)")
        }
        let url = storage.publicURL
        if !url.isEmpty, !SecretReference(url).isReference, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            add("storage.public_url", "must start with http:// or https://, got \(ConfigValue.tomlString(url))")
        }
    }
}

/// `storage.backend`.
public enum StorageBackend: String, ConfigChoice {
    /// Files under `storage.fs_base_path` (the default).
    case fs
    /// In memory: nothing survives a restart.
    case memory
    /// An S3-compatible server (`storage.endpoint` …); needs the `S3` package trait.
    case s3
}

/// `storage.addressing`.
public enum S3Addressing: String, ConfigChoice {
    /// `endpoint/bucket/key`.
    case path
    /// `bucket.endpoint/key`.
    case virtual
}
