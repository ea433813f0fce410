import Foundation
import ReactorCore
import ReactorVault
import Testing

@Suite("VaultKey", .timeLimit(.minutes(3)))
struct VaultKeyTests {
    static let hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

    @Test func parsesHexInBothCases() throws {
        let lower = try VaultKey(parsing: Self.hex)
        let upper = try VaultKey(parsing: Self.hex.uppercased())
        #expect(lower == upper)
        #expect(lower.hex == Self.hex)
        #expect(lower == (try VaultKey(bytes: 0..<32)))
    }

    @Test func parsesBase64AndBase64URL() throws {
        let key = try VaultKey(bytes: (0..<32).map { UInt8(255 - $0) })  // bytes that need + and / in base64
        let base64 = key.base64
        #expect(base64.count == 44)
        #expect(base64.contains("/") || base64.contains("+"))
        #expect(try VaultKey(parsing: base64) == key)
        let url = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(try VaultKey(parsing: url) == key)
        let unpadded = url.replacingOccurrences(of: "=", with: "")
        #expect(unpadded.count == 43)
        #expect(try VaultKey(parsing: unpadded) == key)
        #expect(try VaultKey(parsing: key.hex) == key)
    }

    @Test func trimsWhitespace() throws {
        let key = try VaultKey(parsing: "  \n\t\(Self.hex)\n")
        #expect(key.hex == Self.hex)
        let other = VaultKey.generate()
        #expect(try VaultKey(parsing: "\(other.base64)\r\n") == other)
    }

    @Test(arguments: [
        "",
        "   ",
        String(hex.dropLast(2)),  // 31 bytes of hex
        hex + "20",  // 33 bytes of hex
        String(hex.dropLast()) + "g",  // not hex
        "c2hvcnQ=",  // base64 of 5 bytes
        Data(repeating: 0xFF, count: 48).base64EncodedString(),  // base64 of 48 bytes
        "this is not a key at all, just some words!!",
        "%%%%" + hex,
    ])
    func rejectsJunk(_ text: String) throws {
        let error = try #require(throws: ReactorError.self) { try VaultKey(parsing: text) }
        #expect(error.code == .vaultKey)
        #expect(error.message.contains("64 hexadecimal characters"))
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty {
            #expect(!error.message.contains(trimmed), "the error echoes the key")
            #expect(!error.debugDescription.contains(trimmed), "the error details echo the key")
        }
    }

    @Test func rawBytesMustBe32() throws {
        let short = try #require(throws: ReactorError.self) { try VaultKey(bytes: [UInt8](repeating: 1, count: 16)) }
        #expect(short.code == .vaultKey)
        #expect(throws: ReactorError.self) { try VaultKey(bytes: [UInt8](repeating: 1, count: 33)) }
    }

    @Test func generatedKeysDifferAndRoundTrip() throws {
        let a = VaultKey.generate(), b = VaultKey.generate()
        #expect(a != b)
        #expect(a.hex.count == 64)
        #expect(try VaultKey(parsing: a.hex) == a)
        #expect(try VaultKey(parsing: a.base64) == a)
    }

    @Test func descriptionNeverShowsTheKey() throws {
        let key = try VaultKey(parsing: Self.hex)
        for text in [key.description, key.debugDescription, "\(key)", String(reflecting: key)] {
            #expect(!text.contains(Self.hex))
            #expect(!text.contains(key.base64))
            #expect(text.contains(key.fingerprint))
        }
        #expect(key.fingerprint.count == 8)
    }

    @Test func loadOrCreateCreatesAPrivateFileAndReusesIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("a/b/vault.key")
        let created = try VaultKey.loadOrCreate(file: file)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text == created.hex + "\n")
        let again = try VaultKey.loadOrCreate(file: file)
        #expect(again == created)
        // No temporary files are left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.file("a/b").path)
        #expect(names == ["vault.key"])
    }

    @Test func loadOrCreateReadsAnExistingBase64Key() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let key = VaultKey.generate()
        let file = directory.file("key.txt")
        try Data("  \(key.base64)\n".utf8).write(to: file)
        #expect(try VaultKey.loadOrCreate(file: file) == key)
    }

    @Test func loadOrCreateRejectsABadKeyFileWithoutOverwritingIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let file = directory.file("vault.key")
        try Data("not a key\n".utf8).write(to: file)
        let error = try #require(throws: ReactorError.self) { try VaultKey.loadOrCreate(file: file) }
        #expect(error.code == .vaultKey)
        #expect(error.message.contains(file.path))
        #expect(try String(contentsOf: file, encoding: .utf8) == "not a key\n")
    }

    @Test func concurrentLoadOrCreateAgreesOnOneKey() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("race/vault.key")
        let keys = try await withThrowingTaskGroup(of: VaultKey.self) { group in
            for _ in 0..<8 { group.addTask { try VaultKey.loadOrCreate(file: file) } }
            return try await group.reduce(into: [VaultKey]()) { $0.append($1) }
        }
        #expect(Set(keys.map(\.hex)).count == 1)
        #expect(try VaultKey.loadOrCreate(file: file) == keys[0])
    }
}
