import AsyncHTTPClient
import Foundation
import NIOCore
import ReactorCore
import ReactorTesting
import Testing

#if S3
/// `reactor serve` with `[storage] backend = "s3"` on the shared `moto_server`: buckets and objects through
/// `/storage/v1` land on the S3 server, signed URLs are S3 presigned URLs; with no S3 server there, storage calls are
/// 503 `STORAGE_UNAVAILABLE` naming the backend while the rest of the server works.
@Suite(.timeLimit(.minutes(5)), .enabled(if: MotoTestServer.isEnabled, Comment(rawValue: MotoTestServer.skipReason)))
struct S3ServeTests {
    static func environment(endpoint: String) -> [String: String] {
        ["REACTOR_STORAGE__BACKEND": "s3", "REACTOR_STORAGE__ENDPOINT": endpoint,
         "REACTOR_STORAGE__ACCESS_KEY_ID": "env:TEST_S3_KEY", "TEST_S3_KEY": "testing",
         "REACTOR_STORAGE__SECRET_ACCESS_KEY": "env:TEST_S3_SECRET", "TEST_S3_SECRET": "testing",
         "REACTOR_STORAGE__BUCKET_PREFIX": "i\(UUID().uuidString.lowercased().prefix(8))-",
         "REACTOR_STORAGE__CONNECT_TIMEOUT_SECONDS": "2", "REACTOR_STORAGE__REQUEST_TIMEOUT_SECONDS": "30"]
    }

    @Test func objectsThroughTheServerLandOnS3() async throws {
        let endpoint = try await MotoTestServer.shared()
        let server = try await ServerProcess(environment: Self.environment(endpoint: endpoint))
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let token = try server.adminToken()
        let base = "\(server.base)/storage/v1"
        let created = try await http(.POST, "\(base)/buckets", ["name": "photos", "public": true], token: token)
        #expect(created.status == 201, "\(created.json)")
        var put = HTTPClientRequest(url: "\(base)/buckets/photos/objects/2024/cat.txt")
        put.method = .PUT
        put.headers.add(name: "authorization", value: "Bearer \(token)")
        put.headers.add(name: "content-type", value: "text/plain")
        put.body = .bytes(ByteBuffer(string: "meow"))
        let stored = try await HTTPClient.shared.execute(put, timeout: .seconds(30))
        #expect(stored.status == .ok)
        #expect(try await httpText("\(base)/buckets/photos/objects/2024/cat.txt") == "meow")
        let signed = try await http(.POST, "\(base)/buckets/photos/sign", ["key": "2024/cat.txt", "expiresIn": 60], token: token)
        let url = try #require(signed.json["url"]?.stringValue)
        #expect(url.hasPrefix(endpoint + "/"), "\(url)")
        #expect(url.contains("X-Amz-Signature="))
        #expect(try await httpText(url) == "meow")
        #expect(try await server.terminate() == 0)
    }

    @Test func unreachableS3IsServiceUnavailable() async throws {
        let server = try await ServerProcess(environment: Self.environment(endpoint: "http://127.0.0.1:\(LoopbackPort.closed)"))
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let reply = try await http(.GET, "\(server.base)/storage/v1/buckets", token: try server.adminToken())
        #expect(reply.status == 503, "\(reply.json)")
        #expect(reply.json["error"]?["code"]?.stringValue == "STORAGE_UNAVAILABLE")
        #expect(reply.json["error"]?["details"]?["backend"]?.stringValue == "s3")
        #expect(try await server.terminate() == 0)
    }
}
#else
/// A binary built without the `S3` trait refuses `storage.backend = "s3"`, naming the trait.
@Suite(.timeLimit(.minutes(3)))
struct S3ServeTests {
    @Test func s3ConfigurationNamesTheMissingTrait() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await runCLIWithEnvironment(
            ["serve", "--bind", "127.0.0.1:0", "--data-dir", dir.path, "--json"],
            ["REACTOR_STORAGE__BACKEND": "s3", "REACTOR_STORAGE__ENDPOINT": "http://127.0.0.1:1",
             "REACTOR_STORAGE__ACCESS_KEY_ID": "a", "REACTOR_STORAGE__SECRET_ACCESS_KEY": "b"])
        #expect(result.status == 78, "stderr: \(result.err)")
        #expect(result.err.contains("needs the S3 package trait"), "stderr: \(result.err)")
    }
}
#endif
