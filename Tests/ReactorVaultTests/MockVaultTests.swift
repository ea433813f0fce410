import ReactorCore
import ReactorTesting
import Testing

@Suite("MockVault", .timeLimit(.minutes(3)))
struct MockVaultTests {
    @Test func seedsAndCounts() async throws {
        let vault = MockVault(["db/password": "pw"])
        #expect(try await vault.get("db/password") == "pw")
        try await vault.put("x", value: "y")
        #expect(vault.secrets == ["db/password": "pw", "x": "y"])
        #expect(vault.callCount == 2)
    }

    @Test func canBeToldToFail() async throws {
        let vault = MockVault(["a": "1"])
        vault.fail(with: ReactorError(.vaultKey, "the master key does not open this vault"))
        let error = try await #require(throws: ReactorError.self) { try await vault.get("a") }
        #expect(error.code == .vaultKey)
        await #expect(throws: ReactorError.self) { try await vault.put("b", value: "2") }
        await #expect(throws: ReactorError.self) { try await vault.list() }
        await #expect(throws: ReactorError.self) { try await vault.delete("a") }
        vault.fail(with: nil)
        #expect(try await vault.get("a") == "1")
        #expect(vault.secrets == ["a": "1"])
    }

    @Test func capsValues() async throws {
        let vault = MockVault()
        let error = try await #require(throws: ReactorError.self) {
            try await vault.put("big", value: String(repeating: "x", count: MockVault.maxValueBytes + 1))
        }
        #expect(error.code == .invalidArgument)
    }
}
