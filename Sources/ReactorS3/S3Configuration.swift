import Foundation
import ReactorCore

/// How an ``S3BlobStore`` reaches its server: `[storage] backend = "s3"` and its keys.
///
/// Secrets (`access_key_id`, `secret_access_key`) arrive here resolved: the configuration layer turns `env:` and
/// `vault:` references into values at boot.
public struct S3Configuration: Sendable, Hashable {
    /// How bucket names go into URLs.
    public enum Addressing: String, Sendable, Hashable, CaseIterable {
        /// `https://endpoint/bucket/key` (MinIO, moto, most S3-compatible servers).
        case path
        /// `https://bucket.endpoint/key` (AWS S3's default).
        case virtual
    }

    /// The server's base URL: `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`. No path, query or
    /// fragment.
    public var endpoint: String
    /// The region that signs requests (`us-east-1`).
    public var region: String
    /// The access key.
    public var credentials: AWSCredentials
    /// Path-style or virtual-host addressing.
    public var addressing: Addressing
    /// Put before every bucket name on the server (`reactor-` stores bucket `photos` as `reactor-photos`), so one
    /// account can hold the buckets of several installations. Lowercase letters, digits, `-` and `.`.
    public var bucketPrefix: String
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// How long a request without a streamed body may take in total, and how long a streamed transfer may wait for
    /// the next bytes.
    public var requestTimeout: Duration

    /// A configuration with the given values; see ``validate()``.
    public init(
        endpoint: String, region: String = "us-east-1", credentials: AWSCredentials, addressing: Addressing = .path,
        bucketPrefix: String = "", connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.addressing = addressing
        self.bucketPrefix = bucketPrefix
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }

    /// The endpoint's parts: scheme, host and port (nil for the scheme's default).
    struct Endpoint: Sendable, Hashable {
        var scheme: String
        var host: String
        var port: Int?

        /// The `Host` header for `host` (with the port when it is not the default).
        func hostHeader(_ host: String) -> String { port.map { "\(host):\($0)" } ?? host }
        /// `scheme://host[:port]`.
        func origin(_ host: String) -> String { "\(scheme)://\(hostHeader(host))" }
    }

    /// Parses and checks the values; throws ``ReactorError/Code/configInvalid`` naming the `storage.*` key.
    func parsedEndpoint() throws -> Endpoint {
        func invalid(_ key: String, _ why: String) -> ReactorError {
            ReactorError(.configInvalid, "storage.\(key): \(why)", details: ["key": "storage.\(key)"])
        }
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw invalid("endpoint", "'\(endpoint)' is not an http:// or https:// URL with a host")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil,
              components.user == nil
        else {
            throw invalid("endpoint", "'\(endpoint)' must be only scheme, host and port (no path, query or user)")
        }
        guard !region.isEmpty, region.utf8.allSatisfy({ $0 == 0x2D || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }) else {
            throw invalid("region", "'\(region)' is not a region name (lowercase letters, digits and '-')")
        }
        guard !credentials.accessKeyID.isEmpty else { throw invalid("access_key_id", "it is empty") }
        guard !credentials.secretAccessKey.isEmpty else { throw invalid("secret_access_key", "it is empty") }
        guard bucketPrefix.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x2E || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }),
              bucketPrefix.utf8.count <= 20
        else {
            throw invalid("bucket_prefix", "'\(bucketPrefix)' must be at most 20 lowercase letters, digits, '-' or '.'")
        }
        guard connectTimeout > .zero, requestTimeout > .zero else {
            throw invalid("timeout_seconds", "timeouts must be positive")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.flatMap { $0 == defaultPort ? nil : $0 }
        return Endpoint(scheme: scheme, host: host, port: port)
    }
}
