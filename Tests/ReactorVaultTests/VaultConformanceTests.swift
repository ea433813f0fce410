import Foundation
import ReactorCore
import ReactorTesting
import ReactorVault
import Testing

@Suite("Vault conformance", .timeLimit(.minutes(3)))
struct VaultConformanceTests {
    @Test(arguments: VaultConformance.cases)
    func fileVault(_ c: VaultConformanceCase) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("nested/dirs/vault.enc")
        let key = VaultKey.generate()
        try await c.run { FileVault(file: file, key: key) }
        // Whatever the case left behind still opens with the key, and the file stays private.
        if FileManager.default.fileExists(atPath: file.path) {
            try FileVault(file: file, key: key).verify()
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test(arguments: VaultConformance.cases)
    func mockVault(_ c: VaultConformanceCase) async throws {
        let vault = MockVault()
        try await c.run { vault }
    }
}
