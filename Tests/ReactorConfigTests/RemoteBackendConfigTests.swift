import Foundation
import ReactorConfig
import ReactorCore
import Testing

/// `[storage] backend = "s3"` and `[vault] backend = "openbao"`: every key read, references resolved, and each missing
/// or bad value named by its key.
@Suite("S3 storage and OpenBao vault in Reactor.toml", .timeLimit(.minutes(1)))
struct RemoteBackendConfigTests {
    @Test func readsTheS3AndOpenBaoKeys() async throws {
        let config = try ConfigLoader.parse("""
            [storage]
            backend = "s3"
            endpoint = "https://s3.eu-west-1.amazonaws.com"
            region = "eu-west-1"
            access_key_id = "env:AK"
            secret_access_key = "env:SK"
            addressing = "virtual"
            bucket_prefix = "reactor-"
            connect_timeout_seconds = 2
            request_timeout_seconds = 7.5

            [vault]
            backend = "openbao"
            address = "env:BAO_ADDR"
            token = "env:BAO_TOKEN"
            mount = "kv/reactor"
            namespace = "team-a"
            timeout_seconds = 3
            """)
        #expect(config.storage.backend == .s3)
        #expect(config.storage.addressing == .virtual)
        #expect(config.storage.bucketPrefix == "reactor-")
        #expect(config.storage.requestTimeoutSeconds == 7.5)
        let environment = ["AK": "AKIA", "SK": "secret", "BAO_ADDR": "http://127.0.0.1:8200", "BAO_TOKEN": "s.token"]
        let setup = try config.vaultSetup(environment: environment)
        #expect(setup.backend == .openbao)
        #expect(setup.remote.address == "http://127.0.0.1:8200")
        #expect(setup.remote.token == "s.token")
        #expect(setup.remote.mount == "kv/reactor")
        #expect(setup.remote.namespace == "team-a")
        #expect(setup.remote.timeout == .seconds(3))
        let resolved = try await config.resolved(environment: environment, vault: nil)
        #expect(resolved.storage.accessKeyID == "AKIA")
        #expect(resolved.storage.secretAccessKey == "secret")
    }

    @Test func missingS3ValuesAreNamed() throws {
        let error = try configError("""
            [storage]
            backend = "s3"
            endpoint = "ftp://nowhere"
            connect_timeout_seconds = 0
            """)
        for key in ["storage.endpoint", "storage.access_key_id", "storage.secret_access_key", "storage.connect_timeout_seconds"] {
            #expect(error.message.contains(key), "\(key) in \(error.message)")
        }
    }

    @Test func missingOpenBaoValuesAreNamed() throws {
        let error = try configError("""
            [vault]
            backend = "openbao"
            mount = ""
            timeout_seconds = -1
            """)
        for key in ["vault.address", "vault.token", "vault.mount", "vault.timeout_seconds"] {
            #expect(error.message.contains(key), "\(key) in \(error.message)")
        }
        let reference = try configError("""
            [vault]
            backend = "openbao"
            address = "http://127.0.0.1:8200"
            token = "vault:bao/token"
            """)
        #expect(reference.message.contains("vault.token"), "\(reference.message)")
    }
}
