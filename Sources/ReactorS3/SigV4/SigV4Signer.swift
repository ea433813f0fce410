import Crypto
import Foundation

/// The access key that signs requests.
public struct AWSCredentials: Sendable, Hashable {
    /// The access key id (`AKIA…`).
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// A session token of temporary credentials (sent as `X-Amz-Security-Token`), if any.
    public var sessionToken: String?

    /// Credentials with the given values.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// What Signature Version 4 signs of a request.
public struct SigV4Request: Sendable, Hashable {
    /// The HTTP method (`GET`, `PUT` …).
    public var method: String
    /// The path as sent, already URI-encoded (`/bucket/my%20key`); S3 signs it as it is (no second encoding).
    public var encodedPath: String
    /// The query parameters, not encoded (names and values as the application means them), in any order.
    public var query: [(name: String, value: String)]
    /// The header fields to sign, in any order and case (`Host` must be among them); repeated names are joined.
    public var headers: [(name: String, value: String)]
    /// The hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    /// A request with the given parts.
    public init(method: String, encodedPath: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)], payloadHash: String) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    public static func == (lhs: SigV4Request, rhs: SigV4Request) -> Bool {
        lhs.method == rhs.method && lhs.encodedPath == rhs.encodedPath && lhs.payloadHash == rhs.payloadHash
            && lhs.query.elementsEqual(rhs.query) { $0 == $1 } && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(encodedPath)
        hasher.combine(payloadHash)
        for item in query { hasher.combine(item.name); hasher.combine(item.value) }
        for item in headers { hasher.combine(item.name); hasher.combine(item.value) }
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): the `Authorization` header of a request and the query string of a
/// presigned URL, for one region and service (`s3`).
///
/// The steps are those of the AWS documentation ("Signature Version 4 signing process"): the canonical request, the
/// string to sign over its SHA-256, and the HMAC chain `AWS4<secret>` → day → region → service → `aws4_request`.
/// The signer is checked against AWS's published test suite and the S3 documentation's examples (see the tests'
/// `Vectors`).
public struct SigV4Signer: Sendable {
    /// The SHA-256 of an empty body, the payload hash of requests without one.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash of a body that is not signed (S3 over TLS or a streamed body).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The longest lifetime of a presigned URL, in seconds (seven days).
    public static let maximumPresignSeconds = 604_800

    /// The access key.
    public var credentials: AWSCredentials
    /// The region (`us-east-1`).
    public var region: String
    /// The service (`s3`).
    public var service: String

    /// A signer for `service` in `region`.
    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The credential scope: `20150830/us-east-1/service/aws4_request`.
    public func scope(_ date: AmzDate) -> String { "\(date.day)/\(region)/\(service)/aws4_request" }

    /// The canonical request and the `SignedHeaders` list of `request`.
    public func canonicalRequest(_ request: SigV4Request) -> (text: String, signedHeaders: String) {
        let encoded: [(name: String, value: String)] = request.query.map { item in
            (AWSURIEncoding.query(item.name), AWSURIEncoding.query(item.value))
        }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        let query = sorted.map { item in item.name + "=" + item.value }.joined(separator: "&")
        var merged: [String: [String]] = [:]
        for header in request.headers {
            merged[header.name.lowercased(), default: []].append(Self.trimmed(header.value))
        }
        let names = merged.keys.sorted()
        let headers = names.map { name in name + ":" + (merged[name] ?? []).joined(separator: ",") + "\n" }.joined()
        let signed = names.joined(separator: ";")
        let path = request.encodedPath.isEmpty ? "/" : request.encodedPath
        return ([request.method, path, query, headers, signed, request.payloadHash].joined(separator: "\n"), signed)
    }

    /// The string to sign for a canonical request made at `date`.
    public func stringToSign(canonicalRequest: String, date: AmzDate) -> String {
        let digest = SHA256.hash(data: Array(canonicalRequest.utf8)).hexString
        return "AWS4-HMAC-SHA256\n\(date.timestamp)\n\(scope(date))\n\(digest)"
    }

    /// The hex signature of `stringToSign` for the day of `date`.
    public func signature(stringToSign: String, date: AmzDate) -> String {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [date.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key).hexString
    }

    /// The `Authorization` header value for `request` made at `date`. The request's headers must already hold
    /// `X-Amz-Date` (and, for S3, `x-amz-content-sha256`) as they will be sent.
    public func authorization(_ request: SigV4Request, date: AmzDate) -> String {
        let (canonical, signed) = canonicalRequest(request)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date)), SignedHeaders=\(signed), Signature=\(signature)"
    }

    /// The encoded query string of a presigned URL for `method` on `encodedPath` at `host`, valid `expires` seconds
    /// from `date`, signing only the `host` header and an unsigned payload (what S3 expects of presigned URLs).
    /// `query` holds the request's own parameters (e.g. `partNumber`), which are signed too.
    public func presignedQuery(method: String, host: String, encodedPath: String, query: [(name: String, value: String)] = [], expires: Int, date: AmzDate) -> String {
        var items = query
        items.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        items.append(("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(date))"))
        items.append(("X-Amz-Date", date.timestamp))
        items.append(("X-Amz-Expires", String(expires)))
        if let token = credentials.sessionToken { items.append(("X-Amz-Security-Token", token)) }
        items.append(("X-Amz-SignedHeaders", "host"))
        let request = SigV4Request(method: method, encodedPath: encodedPath, query: items, headers: [("host", host)],
                                   payloadHash: Self.unsignedPayload)
        let (canonical, _) = canonicalRequest(request)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        items.append(("X-Amz-Signature", signature))
        return items.map { "\(AWSURIEncoding.query($0.name))=\(AWSURIEncoding.query($0.value))" }.joined(separator: "&")
    }

    /// A header value as SigV4 signs it: outer spaces removed, inner runs of spaces made one.
    static func trimmed(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in value {
            if character == " " || character == "\t" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The lowercase hex SHA-256 of bytes (the `x-amz-content-sha256` of a body held in memory).
public enum SHA256Hex {
    /// The digest of `bytes`.
    public static func of(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).hexString }
}
