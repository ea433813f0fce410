import Foundation
import ReactorCore
import Synchronization
import Testing

@Suite("BlobURLSigner", .timeLimit(.minutes(1)))
struct BlobURLSignerTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        let seconds = Mutex<Double>(1_800_000_000)
        var now: @Sendable () -> Date { { Date(timeIntervalSince1970: self.seconds.withLock { $0 }) } }
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    let clock = TestClock()
    let secret = [UInt8](repeating: 42, count: 32)

    /// The parts of a signed URL as the server's route sees them.
    func parts(_ url: SignedBlobURL) throws -> (bucket: String, key: String, expires: String?, signature: String?) {
        let components = try #require(URLComponents(string: "http://h" + url.url))
        let path = components.percentEncodedPath.dropFirst(BlobURLSigner.pathPrefix.count + 1)
        let slash = try #require(path.firstIndex(of: "/"))
        let items = components.queryItems ?? []
        return (String(path[..<slash]), try #require(String(path[path.index(after: slash)...]).removingPercentEncoding),
                items.first { $0.name == "expires" }?.value, items.first { $0.name == "signature" }?.value)
    }

    @Test func aSignedURLIsAcceptedForItsMethodUntilItExpires() throws {
        let signer = try BlobURLSigner(secret: secret, now: clock.now)
        let url = try signer.sign(.get, bucket: try BucketName("photos"), key: try BlobKey("2024/ü b.jpg"), expiresIn: .seconds(60))
        #expect(url.url.hasPrefix("/storage/v1/signed/photos/2024/%C3%BC%20b.jpg?expires="))
        let p = try parts(url)
        #expect(p.key == "2024/ü b.jpg")
        try signer.verify(method: "GET", bucket: p.bucket, key: p.key, expires: p.expires, signature: p.signature)
        try signer.verify(method: "HEAD", bucket: p.bucket, key: p.key, expires: p.expires, signature: p.signature)
        clock.advance(59)
        try signer.verify(method: "GET", bucket: p.bucket, key: p.key, expires: p.expires, signature: p.signature)
        clock.advance(1)
        #expect(throws: ReactorError.self) { try signer.verify(method: "GET", bucket: p.bucket, key: p.key, expires: p.expires, signature: p.signature) }
    }

    @Test func tamperedURLsAreRefused() throws {
        let signer = try BlobURLSigner(secret: secret, now: clock.now)
        let p = try parts(try signer.sign(.put, bucket: try BucketName("photos"), key: try BlobKey("a.jpg"), expiresIn: .seconds(600)))
        let expires = try #require(p.expires), signature = try #require(p.signature)
        let attempts: [(String, String, String, String?, String?)] = [
            ("GET", p.bucket, p.key, expires, signature),                      // another method
            ("DELETE", p.bucket, p.key, expires, signature),
            ("PUT", "others", p.key, expires, signature),                     // another bucket
            ("PUT", p.bucket, "b.jpg", expires, signature),                   // another key
            ("PUT", p.bucket, p.key, String(Int64(expires)! + 3600), signature), // a later expiry
            ("PUT", p.bucket, p.key, expires, String(signature.dropLast()) + (signature.last == "A" ? "B" : "A")),
            ("PUT", p.bucket, p.key, nil, signature), ("PUT", p.bucket, p.key, expires, nil), ("PUT", p.bucket, p.key, "soon", signature),
        ]
        for (method, bucket, key, expiry, sig) in attempts {
            do {
                try signer.verify(method: method, bucket: bucket, key: key, expires: expiry, signature: sig)
                Issue.record("accepted \(method) \(bucket)/\(key) \(String(describing: expiry))")
            } catch let error as ReactorError {
                #expect(error.code == .signedURLInvalid)
            }
        }
        try signer.verify(method: "PUT", bucket: p.bucket, key: p.key, expires: expires, signature: signature)
        let other = try BlobURLSigner(secret: [UInt8](repeating: 43, count: 32), now: clock.now)
        #expect(throws: ReactorError.self) { try other.verify(method: "PUT", bucket: p.bucket, key: p.key, expires: expires, signature: signature) }
    }

    @Test func secretsAndLifetimesAreChecked() throws {
        #expect(throws: ReactorError.self) { _ = try BlobURLSigner(secret: [UInt8](repeating: 1, count: 31)) }
        let signer = try BlobURLSigner(secret: secret, baseURL: "https://files.example.com/", now: clock.now)
        let url = try signer.sign(.get, bucket: try BucketName("abc"), key: try BlobKey("k"), expiresIn: .seconds(7 * 24 * 3600))
        #expect(url.url.hasPrefix("https://files.example.com/storage/v1/signed/abc/k?"))
        #expect(url.expiresAt == Date(timeIntervalSince1970: 1_800_000_000 + 7 * 24 * 3600))
        #expect(throws: ReactorError.self) { _ = try signer.sign(.get, bucket: try BucketName("abc"), key: try BlobKey("k"), expiresIn: .milliseconds(10)) }
    }
}
