import Crypto
import Foundation

/// Signs and checks the URLs a Reactor server serves itself (`/storage/v1/signed/<bucket>/<key>`): the filesystem and
/// in-memory stores' signed URLs.
///
/// The signature is HMAC-SHA256 over the method, the bucket, the key and the expiry (seconds since 1970), so a URL
/// grants exactly one method on one object until it expires; changing any of them (or the signature) makes
/// ``verify(method:bucket:key:expires:signature:)`` throw ``ReactorError/Code/signedURLInvalid``. Signatures are
/// compared in constant time. The clock is injected so expiry can be tested without waiting.
public struct BlobURLSigner: Sendable {
    /// The path prefix of signed URLs on a Reactor server.
    public static let pathPrefix = "/storage/v1/signed"
    /// The shortest secret accepted, in bytes.
    public static let minimumSecretLength = 32

    private let key: SymmetricKey
    /// When set, signed URLs are absolute (`https://files.example.com/storage/v1/signed/…`); otherwise they start with `/`.
    public let baseURL: String?
    /// Now (injected for tests).
    public let now: @Sendable () -> Date

    /// A signer with `secret` (at least ``minimumSecretLength`` bytes; shorter throws ``ReactorError/Code/invalidArgument``).
    public init(secret: some Collection<UInt8>, baseURL: String? = nil, now: @escaping @Sendable () -> Date = { Date() }) throws {
        guard secret.count >= Self.minimumSecretLength else {
            throw ReactorError(.invalidArgument, "the URL signing secret must be at least \(Self.minimumSecretLength) bytes")
        }
        self.key = SymmetricKey(data: Array(secret))
        var base = baseURL?.trimmingCharacters(in: .whitespaces) ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base.isEmpty ? nil : base
        self.now = now
    }

    /// A signer with a fresh random secret (it signs URLs only this process can check).
    public static func random(now: @escaping @Sendable () -> Date = { Date() }) -> BlobURLSigner {
        // A 32-byte key always satisfies the length check.
        // swiftlint:disable:next force_try
        try! BlobURLSigner(secret: randomSecret(), now: now)
    }

    /// 32 random bytes.
    public static func randomSecret() -> [UInt8] { SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) } }

    /// A URL that allows `method` on `key` in `bucket` for `expiresIn` (1 second to 7 days; anything else throws
    /// ``ReactorError/Code/invalidArgument``).
    public func sign(_ method: SignedBlobURL.Method, bucket: BucketName, key: BlobKey, expiresIn: Duration) throws -> SignedBlobURL {
        try Self.checkLifetime(expiresIn)
        let seconds = expiresIn.components.seconds + (expiresIn.components.attoseconds > 0 ? 1 : 0)
        let expires = Int64(now().timeIntervalSince1970.rounded(.down)) + seconds
        let signature = Base64URL.encode(mac(method.rawValue, bucket.rawValue, key.rawValue, String(expires)))
        let path = "\(Self.pathPrefix)/\(bucket.rawValue)/\(Self.encodePath(key.rawValue))?expires=\(expires)&signature=\(signature)"
        return SignedBlobURL(url: (baseURL ?? "") + path, method: method, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// Checks a signed URL's parts as a request brings them (`method` is the request's, `HEAD` counting as `GET`).
    /// Throws ``ReactorError/Code/signedURLInvalid`` when anything is missing, tampered with, expired or the method
    /// differs; the message says which without revealing the expected signature.
    public func verify(method: String, bucket: String, key: String, expires: String?, signature: String?) throws {
        func refuse(_ why: String) -> ReactorError { ReactorError(.signedURLInvalid, "the signed URL is \(why)") }
        guard let expires, let expiry = Int64(expires), let signature, let given = Base64URL.decode(signature) else {
            throw refuse("malformed (it needs expires and signature)")
        }
        let effective = method == "HEAD" ? "GET" : method
        guard SignedBlobURL.Method(rawValue: effective) != nil else { throw refuse("not valid for \(method)") }
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Self.message(effective, bucket, key, expires), using: self.key) else {
            throw refuse("not valid (tampered with, signed for another object or method, or by another server)")
        }
        guard Int64(now().timeIntervalSince1970.rounded(.down)) < expiry else { throw refuse("expired") }
    }

    /// Throws ``ReactorError/Code/invalidArgument`` unless `lifetime` is 1 second to 7 days.
    public static func checkLifetime(_ lifetime: Duration) throws {
        guard lifetime >= .seconds(1), lifetime <= BlobStoreLimits.maximumSignedURLLifetime else {
            throw ReactorError(.invalidArgument, "a signed URL's lifetime must be 1 second to 7 days")
        }
    }

    /// `key` percent-encoded for a URL path: every byte but unreserved characters and `/`.
    public static func encodePath(_ key: String) -> String {
        var out = ""
        out.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private func mac(_ parts: String...) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Self.message(parts), using: key))
    }

    private static func message(_ parts: String...) -> [UInt8] { message(parts) }

    private static func message(_ parts: [String]) -> [UInt8] {
        // NUL never occurs in a method, bucket, key or number, so the fields cannot run into each other.
        Array(("reactor-blob-v1\0" + parts.joined(separator: "\0")).utf8)
    }
}

/// A store whose signed URLs the Reactor server checks and serves itself (`/storage/v1/signed/…`): the filesystem and
/// in-memory stores. An S3 store's presigned URLs go to the S3 server instead.
public protocol ServerSignedBlobStore: BlobStore {
    /// The signer of this store's URLs.
    var urlSigner: BlobURLSigner { get }
}
