import Foundation
import ReactorConfig
import ReactorCore
import ReactorTesting
import Testing

@Suite("[storage] configuration", .timeLimit(.minutes(1)))
struct StorageConfigTests {
    @Test func defaultsFileAndEnvironment() throws {
        let defaults = ReactorConfiguration.defaults
        #expect(defaults.storage.backend == .fs && defaults.storage.fsBasePath.isEmpty && defaults.storage.signingSecret.isEmpty)
        #expect(defaults.storage.maxObjectBytes == 5 << 30 && defaults.storage.publicURL.isEmpty)
        #expect(defaults.blobsPath == ".reactor/blobs")
        let config = try ConfigLoader.parse("""
            [server]
            data_dir = "/srv/reactor"

            [storage]
            backend = "memory"
            fs_base_path = "/mnt/blobs"
            signing_secret = "env:URL_SECRET"
            max_object_bytes = 1024
            public_url = "https://files.example.com"
            """, environment: ["REACTOR_STORAGE__MAX_OBJECT_BYTES": "2048", "REACTOR_STORAGE__BACKEND": "fs"])
        #expect(config.storage.backend == .fs && config.storage.maxObjectBytes == 2048)
        #expect(config.blobsPath == "/mnt/blobs" && config.storage.publicURL == "https://files.example.com")
        #expect(config.source(of: "storage.max_object_bytes") == "environment variable REACTOR_STORAGE__MAX_OBJECT_BYTES")
        let plain = try ConfigLoader.parse("[server]\ndata_dir = \"/srv/reactor\"\n")
        #expect(plain.blobsPath == "/srv/reactor/blobs")
    }

    @Test func theSigningSecretIsAReferenceResolvedAtBoot() async throws {
        let config = try ConfigLoader.parse("[storage]\nsigning_secret = \"vault:storage/url-secret\"\n")
        let vault = MockVault()
        try await vault.put("storage/url-secret", value: String(repeating: "s", count: 40))
        let resolved = try await config.resolved(environment: [:], vault: vault)
        #expect(resolved.storage.signingSecret == String(repeating: "s", count: 40))
        let short = try ConfigLoader.parse("[storage]\nsigning_secret = \"env:SHORT\"\n")
        let error = await #expect(throws: ReactorError.self) { _ = try await short.resolved(environment: ["SHORT": "too short"], vault: nil) }
        #expect(error?.message.contains("storage.signing_secret") == true)
    }

    @Test func badStorageKeysNameTheKey() throws {
        let error = try configError("""
            [storage]
            backend = "tape"
            max_object_bytes = 0
            public_url = "files.example.com"
            """)
        for key in ["storage.backend", "storage.max_object_bytes", "storage.public_url"] {
            #expect(error.message.contains(key), "\(error.message)")
        }
    }
}
