import Foundation
import ReactorCore
import ReactorVault
import Testing

@Suite("FileVault", .timeLimit(.minutes(3)))
struct FileVaultTests {
    /// A temporary directory with a vault file path and a key.
    struct Fixture {
        let directory = TemporaryDirectory()
        let key = VaultKey.generate()
        var file: URL { directory.file("data/vault.enc") }
        func vault(_ key: VaultKey? = nil) -> FileVault { FileVault(file: file, key: key ?? self.key) }
        func bytes() throws -> Data { try Data(contentsOf: file) }
        func write(_ data: Data) throws {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        }
    }

    @Test func aMissingFileIsAnEmptyVaultAndReadsCreateNothing() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        let vault = f.vault()
        #expect(try await vault.get("a") == nil)
        #expect(try await vault.list().isEmpty)
        #expect(try await vault.delete("a") == false)
        try vault.verify()
        #expect(!FileManager.default.fileExists(atPath: f.file.path))
        #expect(!FileManager.default.fileExists(atPath: f.directory.url.path))
    }

    @Test func reopeningWithTheRightKeySeesTheData() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        try await f.vault().put("db/password", value: "hunter2")
        try await f.vault().put("auth/hmac", value: String(repeating: "k", count: 40))
        let reopened = FileVault(file: f.file, key: try VaultKey(parsing: f.key.base64))
        #expect(try await reopened.get("db/password") == "hunter2")
        #expect(try await reopened.list() == ["auth/hmac", "db/password"])
        let attributes = try FileManager.default.attributesOfItem(atPath: f.file.path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        // Only the vault file and its lock file are in the directory: no temporary file is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: f.file.deletingLastPathComponent().path).sorted()
        #expect(names == ["vault.enc", "vault.enc.lock"])
    }

    @Test func aWrongKeyFailsAndNeverModifiesTheFile() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        try await f.vault().put("db/password", value: "hunter2")
        let before = try f.bytes()
        let wrong = f.vault(VaultKey.generate())
        let operations: [(String, @Sendable () async throws -> Void)] = [
            ("get", { _ = try await wrong.get("db/password") }),
            ("list", { _ = try await wrong.list() }),
            ("put", { try await wrong.put("db/password", value: "overwritten") }),
            ("put new", { try await wrong.put("other", value: "x") }),
            ("delete", { _ = try await wrong.delete("db/password") }),
            ("verify", { try wrong.verify() }),
        ]
        for (name, operation) in operations {
            let error = try await #require(throws: ReactorError.self, "\(name)") { try await operation() }
            #expect(error.code == .vaultKey, "\(name)")
            #expect(error.message.contains("the master key does not open this vault"), "\(name): \(error.message)")
        }
        #expect(try f.bytes() == before)
        #expect(try await f.vault().get("db/password") == "hunter2")
    }

    @Test func everyTamperedByteIsDetectedWithoutACrash() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        try await f.vault().put("db/password", value: "hunter2")
        let original = try f.bytes()
        for offset in 0..<original.count {
            var tampered = original
            tampered[offset] ^= 0x01
            try f.write(tampered)
            let error = try await #require(throws: ReactorError.self, "byte \(offset)") { try await f.vault().get("db/password") }
            // Bytes 9..<25 are the key check: changing them looks like another key. Everything else is corruption.
            let expected: ReactorError.Code = (9..<25).contains(offset) ? .vaultKey : .vaultCorrupt
            #expect(error.code == expected, "byte \(offset): \(error)")
            // A write on a damaged vault fails the same way and leaves the file as it was.
            await #expect(throws: ReactorError.self) { try await f.vault().put("other", value: "x") }
            #expect(try f.bytes() == tampered)
        }
    }

    @Test func truncatedFilesAreCorrupt() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        try await f.vault().put("db/password", value: "hunter2")
        let original = try f.bytes()
        for length in [1, 7, 8, 9, 20, 25, 36, 37, 52, original.count - 16, original.count - 1] {
            try f.write(original.prefix(length))
            let error = try await #require(throws: ReactorError.self, "length \(length)") { try await f.vault().list() }
            #expect(error.code == .vaultCorrupt, "length \(length): \(error)")
        }
        // Appended junk is damage too.
        try f.write(original + Data([0, 1, 2]))
        let appended = try await #require(throws: ReactorError.self) { try await f.vault().list() }
        #expect(appended.code == .vaultCorrupt)
    }

    static let otherFormats: [(String, Data)] = [
        ("empty", Data()),
        ("garbage", Data((0..<200).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i &* 37 &+ 11) })),
        ("json", Data(#"{"secrets": {"a": "b"}}"#.utf8)),
        ("sqlite", Data("SQLite format 3\u{0}".utf8) + Data(count: 100)),
        ("future version", Data("RCTVAULT".utf8) + Data([2]) + Data(count: 100)),
        ("version zero", Data("RCTVAULT".utf8) + Data([0]) + Data(count: 100)),
        ("marker only", Data("RCTVAULT".utf8)),
    ]

    @Test(arguments: otherFormats)
    func filesOfAnotherFormatAreCorrupt(_ name: String, _ content: Data) async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        try f.write(content)
        let error = try await #require(throws: ReactorError.self) { try await f.vault().get("a") }
        #expect(error.code == .vaultCorrupt, "\(name): \(error)")
        #expect(error.message.contains(f.file.path))
        await #expect(throws: ReactorError.self) { try await f.vault().put("a", value: "b") }
        #expect(try f.bytes() == content, "\(name): a failed put changed the file")
    }

    @Test func noPlaintextAppearsInTheFile() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        let secret = "correct-horse-battery-staple-\(UUID().uuidString)"
        try await f.vault().put("database/primary-password", value: secret)
        try await f.vault().put("second", value: "second-plaintext-value")
        let bytes = try f.bytes()
        let latin1 = String(decoding: bytes, as: UTF8.self)
        for needle in [secret, "correct-horse", "database/primary-password", "primary", "second-plaintext", "secrets", f.key.hex] {
            #expect(!latin1.contains(needle), "the file contains '\(needle)'")
            #expect(bytes.range(of: Data(needle.utf8)) == nil, "the file contains '\(needle)'")
        }
        #expect(bytes.prefix(8) == Data("RCTVAULT".utf8))
        // Every write uses a fresh nonce: the same content encrypts differently.
        try await f.vault().put("second", value: "changed")
        try await f.vault().put("second", value: "second-plaintext-value")
        #expect(try f.bytes() != bytes)
    }

    @Test func twoInstancesWritingConcurrentlyLoseNothing() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        let a = f.vault(), b = f.vault()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask { try await a.put("a/\(index)", value: "from a \(index)") }
                group.addTask { try await b.put("b/\(index)", value: "from b \(index)") }
            }
            for index in 0..<10 {
                group.addTask { _ = try await a.delete("b/\(index + 100)") }  // deletes of missing paths write nothing
            }
            try await group.waitForAll()
        }
        let all = try await f.vault().list()
        #expect(all.count == 80)
        #expect(try await f.vault().list(prefix: "a/").count == 40)
        #expect(try await b.get("a/39") == "from a 39")
        #expect(try await a.get("b/0") == "from b 0")
    }

    @Test func valuesAreCappedAt64KiB() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        let vault = f.vault()
        let largest = String(repeating: "x", count: FileVault.maxValueBytes)
        try await vault.put("big", value: largest)
        #expect(try await vault.get("big") == largest)
        let error = try await #require(throws: ReactorError.self) {
            try await vault.put("too-big", value: largest + "y")
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("too-big"))
        // The cap counts UTF-8 bytes, not characters.
        let multibyte = String(repeating: "é", count: FileVault.maxValueBytes / 2 + 1)
        await #expect(throws: ReactorError.self) { try await vault.put("accents", value: multibyte) }
        #expect(try await vault.list() == ["big"])
    }

    @Test func putOfTheSameValueDoesNotRewriteTheFile() async throws {
        let f = Fixture()
        defer { f.directory.remove() }
        try await f.vault().put("a", value: "1")
        let before = try f.bytes()
        try await f.vault().put("a", value: "1")
        #expect(try f.bytes() == before)
        #expect(try await f.vault().delete("missing") == false)
        #expect(try f.bytes() == before)
    }
}
