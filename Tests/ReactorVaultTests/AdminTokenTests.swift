import Foundation
import ReactorCore
import ReactorVault
import Testing

/// The local admin token and its file: random, private, created once, compared in constant time, never shown.
@Suite("Admin token", .timeLimit(.minutes(1)))
struct AdminTokenTests {
    @Test func generatedTokensAreLongRandomAndMatchOnlyThemselves() throws {
        let token = AdminToken.generate()
        let text = token.secretText
        #expect(text.count == 43)
        #expect(Base64URL.decode(text)?.count == 32)
        #expect(token.matches(text))
        #expect(!token.matches(text.dropLast()))
        #expect(!token.matches(text + "A"))
        #expect(!token.matches(""))
        #expect(!token.matches(AdminToken.generate().secretText))
        var flipped = Array(text)
        flipped[20] = flipped[20] == "A" ? "B" : "A"
        #expect(!token.matches(String(flipped)))
        #expect(!"\(token)".contains(text) && !String(reflecting: token).contains(text))
        #expect(Set((0..<50).map { _ in AdminToken.generate().secretText }).count == 50)
    }

    @Test func theFileIsCreatedOnceWithMode0600() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.file("nested/admin.token")
        let created = try AdminToken.loadOrCreate(file: file)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == created.secretText + "\n")
        let again = try AdminToken.loadOrCreate(file: file)
        #expect(again.secretText == created.secretText)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["admin.token"])
    }

    @Test func concurrentCreatorsAgreeOnOneToken() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.file("admin.token")
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try AdminToken.loadOrCreate(file: file).secretText } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(tokens.count == 1)
    }

    /// A file others may read, or one that holds no token, is refused naming the key; the content is never repeated.
    @Test func unsafeOrInvalidFilesAreRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.url, withIntermediateDirectories: true)
        let file = dir.file("admin.token")
        let valid = AdminToken.generate().secretText
        try Data(valid.utf8).write(to: file)
        for mode in [0o644, 0o640, 0o604, 0o660] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
            let error = try #require(throws: ReactorError.self) { try AdminToken.loadOrCreate(file: file) }
            #expect(error.code == .configInvalid)
            #expect(error.message.contains("chmod 600"))
            #expect(error.details["key"] == "server.admin_token_file")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(try AdminToken.loadOrCreate(file: file).secretText == valid)
        for content in ["", "short", String(repeating: "A", count: 42), valid + "=", "not base64url!!" + valid] {
            try Data(content.utf8).write(to: file)
            let error = try #require(throws: ReactorError.self) { try AdminToken.loadOrCreate(file: file) }
            #expect(error.code == .configInvalid, "\(content)")
            #expect(content.isEmpty || !error.message.contains(content), "\(content)")
        }
        // A longer hand-written token (base64url of ≥ 32 bytes) is accepted.
        let long = Base64URL.encode([UInt8](repeating: 7, count: 48))
        try Data("  \(long)\n".utf8).write(to: file)
        #expect(try AdminToken.loadOrCreate(file: file).matches(long))
    }
}
