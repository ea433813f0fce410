import Foundation
import ReactorCore
@testable import ReactorS3
import ReactorTesting
import Testing

/// The signer against AWS's published Signature Version 4 vectors (`Vectors/`, each file names its source).
@Suite("SigV4 signer", .timeLimit(.minutes(1)))
struct SigV4SignerTests {
    struct Credentials: Decodable {
        var accessKeyID: String
        var secretAccessKey: String
    }

    struct SuiteCase: Decodable, CustomStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var body: String
        var authorization: String
        var canonicalRequest: String?
        var description: String { name }
    }

    struct Suite: Decodable {
        var credentials: Credentials
        var region: String
        var service: String
        var date: String
        var cases: [SuiteCase]
    }

    struct S3Case: Decodable {
        var name: String
        var method: String
        var key: String
        var query: [[String]]
        var headers: [[String]]
        var payloadHash: String
        var body: String?
        var signature: String
    }

    struct Presigned: Decodable {
        var method: String
        var host: String
        var key: String
        var expires: Int
        var url: String
    }

    struct S3Examples: Decodable {
        var credentials: Credentials
        var region: String
        var date: String
        var headerCases: [S3Case]
        var presigned: Presigned
    }

    static func load<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/\(name)")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    static let suite: Suite = try! load("sigv4-test-suite.json", as: Suite.self)
    static let s3: S3Examples = try! load("s3-documentation-examples.json", as: S3Examples.self)

    static func date(_ text: String) throws -> Date {
        try #require(S3ObjectHeaders.parseISODate(text))
    }

    static func pairs(_ items: [[String]]) -> [(name: String, value: String)] { items.map { ($0[0], $0[1]) } }

    @Test(arguments: suite.cases)
    func awsTestSuite(_ c: SuiteCase) throws {
        let suite = Self.suite
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: suite.credentials.accessKeyID, secretAccessKey: suite.credentials.secretAccessKey),
            region: suite.region, service: suite.service)
        let request = SigV4Request(
            method: c.method, encodedPath: AWSURIEncoding.path(c.path), query: Self.pairs(c.query), headers: Self.pairs(c.headers),
            payloadHash: SHA256Hex.of(Array(c.body.utf8)))
        let date = AmzDate(try Self.date(suite.date))
        if let expected = c.canonicalRequest {
            #expect(signer.canonicalRequest(request).text == expected)
        }
        let authorization = signer.authorization(request, date: date)
        // The suite's post-x-www-form-urlencoded-parameters signs content-length; every case's signature must match.
        #expect(authorization == c.authorization)
    }

    @Test func s3HeaderExamples() throws {
        let s3 = Self.s3
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: s3.credentials.accessKeyID, secretAccessKey: s3.credentials.secretAccessKey),
            region: s3.region)
        let date = AmzDate(try Self.date(s3.date))
        #expect(date.timestamp == "20130524T000000Z")
        for c in s3.headerCases {
            if let body = c.body { #expect(SHA256Hex.of(Array(body.utf8)) == c.payloadHash, "\(c.name)") }
            let request = SigV4Request(
                method: c.method, encodedPath: "/" + AWSURIEncoding.path(c.key), query: Self.pairs(c.query),
                headers: Self.pairs(c.headers), payloadHash: c.payloadHash)
            let authorization = signer.authorization(request, date: date)
            #expect(authorization.hasSuffix("Signature=\(c.signature)"), "\(c.name): \(authorization)")
            #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "))
        }
    }

    @Test func s3PresignedURLExample() throws {
        let s3 = Self.s3
        let p = s3.presigned
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: s3.credentials.accessKeyID, secretAccessKey: s3.credentials.secretAccessKey),
            region: s3.region)
        let query = signer.presignedQuery(method: p.method, host: p.host, encodedPath: "/" + p.key, expires: p.expires,
                                          date: AmzDate(try Self.date(s3.date)))
        #expect("https://\(p.host)/\(p.key)?\(query)" == p.url)
    }

    /// The store's presigned URLs, with a frozen clock and virtual-host addressing, are the documented URL.
    @Test func storePresignsTheDocumentedURL() async throws {
        let s3 = Self.s3
        let frozen = try Self.date(s3.date)
        let store = try S3BlobStore(
            configuration: S3Configuration(
                endpoint: "https://s3.amazonaws.com", region: s3.region,
                credentials: AWSCredentials(accessKeyID: s3.credentials.accessKeyID, secretAccessKey: s3.credentials.secretAccessKey),
                addressing: .virtual),
            now: { frozen })
        let signed = try await store.signedURL(.get, key: BlobKey("test.txt"), in: BucketName("examplebucket"), expiresIn: .seconds(86400))
        try await store.shutdown()
        #expect(signed.url == s3.presigned.url)
        #expect(signed.method == .get)
        #expect(signed.expiresAt == frozen.addingTimeInterval(86400))
    }

    @Test func presignedLifetimeIsBounded() async throws {
        let store = try S3BlobStore(configuration: S3Configuration(
            endpoint: "http://127.0.0.1:9", credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b")))
        for lifetime in [Duration.zero, .seconds(-1), .seconds(604_801)] {
            await #expect(throws: ReactorError.self) {
                _ = try await store.signedURL(.put, key: BlobKey("k"), in: BucketName("bucket"), expiresIn: lifetime)
            }
        }
        let week = try await store.signedURL(.put, key: BlobKey("a b/ü"), in: BucketName("bucket"), expiresIn: .seconds(604_800))
        #expect(week.url.hasPrefix("http://127.0.0.1:9/bucket/a%20b/%C3%BC?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(week.url.contains("X-Amz-Expires=604800"))
        try await store.shutdown()
    }

    @Test func uriEncoding() {
        #expect(AWSURIEncoding.query("a b/c~d*e+f") == "a%20b%2Fc~d%2Ae%2Bf")
        #expect(AWSURIEncoding.path("dir/a b$.txt") == "dir/a%20b%24.txt")
        #expect(SigV4Signer.trimmed("  a   b \t c  ") == "a b c")
    }

    @Test func badConfigurationNamesTheKey() {
        func key(_ configuration: S3Configuration) -> String? {
            thrownDetail("key") { _ = try S3BlobStore(configuration: configuration) }
        }
        let credentials = AWSCredentials(accessKeyID: "a", secretAccessKey: "b")
        #expect(key(S3Configuration(endpoint: "ftp://x", credentials: credentials)) == "storage.endpoint")
        #expect(key(S3Configuration(endpoint: "http://x/path", credentials: credentials)) == "storage.endpoint")
        #expect(key(S3Configuration(endpoint: "http://x", region: "Bad Region", credentials: credentials)) == "storage.region")
        #expect(key(S3Configuration(endpoint: "http://x", credentials: AWSCredentials(accessKeyID: "", secretAccessKey: "b"))) == "storage.access_key_id")
        #expect(key(S3Configuration(endpoint: "http://x", credentials: credentials, bucketPrefix: "UP")) == "storage.bucket_prefix")
    }
}
