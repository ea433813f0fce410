import Foundation
import Testing

@testable import ReactorCore

@Suite(.timeLimit(.minutes(1)))
struct IdentifiersTests {
    @Test(arguments: ["d1", "9f2b4c1e-0d3a-4c7e-9b8a-1f2e3d4c5b6a", "user@example.com", "ns:doc~1+x=y", "a.b", String(repeating: "x", count: 256)])
    func documentIDsAccepted(_ id: String) {
        #expect(Identifiers.documentID.problem(id) == nil)
    }

    /// Every ASCII character, alone between two letters, is accepted exactly by the rules' documented sets.
    @Test func asciiCharactersFollowTheDocumentedSets() {
        let alphanumerics = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let rules: [(Identifiers.Rule, Set<Character>)] = [
            (Identifiers.documentID, alphanumerics.union("-_.~:@+=")), (Identifiers.slug, alphanumerics.union("-_.")),
            (Identifiers.branch, alphanumerics.union("-_./")), (Identifiers.scope, alphanumerics.union("-_")),
        ]
        for (rule, allowed) in rules {
            for value in UInt8(0)..<128 {
                let character = Character(Unicode.Scalar(value))
                let refused = rule.problem("a\(character)b")?.hasPrefix("may contain only") ?? false
                #expect(refused == !allowed.contains(character), "\(rule.name): U+\(String(value, radix: 16))")
            }
        }
        for value in UInt8(0)..<128 {
            let refused = Identifiers.actionID.problem("a\(Character(Unicode.Scalar(value)))b") != nil
            #expect(refused == (value < 0x20 || value == 0x7F), "action id: U+\(String(value, radix: 16))")
        }
    }

    /// The ASCII fast path agrees with the Unicode tables (control `Cc` and format `Cf`) on every ASCII scalar, and the
    /// tables decide beyond ASCII (C1 controls, bidi and zero-width characters).
    @Test func controlAndFormatCharactersMatchTheUnicodeTables() {
        for value in UInt32(0)..<0x3000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let category = scalar.properties.generalCategory
            #expect(Identifiers.isControlOrFormat(scalar) == (category == .control || category == .format), "U+\(String(value, radix: 16))")
        }
    }

    @Test(arguments: ["", "a/b", "a b", "a?b", "a#b", "a%20b", "é", ".", "..", "x\u{202E}y", "x\u{200B}y", "x\u{FEFF}", "a\nb", String(repeating: "x", count: 257)])
    func documentIDsRefused(_ id: String) {
        #expect(Identifiers.documentID.problem(id) != nil)
    }

    @Test func slugsBranchesScopesAndActionIDs() throws {
        #expect(Identifiers.slug.problem("my-drive_2.0") == nil)
        #expect(Identifiers.slug.problem("no spaces!") != nil)
        #expect(Identifiers.slug.problem(String(repeating: "s", count: 129)) != nil)
        #expect(Identifiers.branch.problem("feature/x-1") == nil)
        for bad in ["/x", "x/", "a//b", "a/../b", "..", "a b", "é"] { #expect(Identifiers.branch.problem(bad) != nil, "\(bad)") }
        #expect(Identifiers.scope.problem("global") == nil)
        #expect(Identifiers.scope.problem("my scope") != nil)
        #expect(Identifiers.actionID.problem("any text: ünïcode, spaces, / and 😀") == nil)
        for bad in ["a\u{202E}b", "a\u{2066}b", "a\u{200D}b", "a\u{0000}b", ""] { #expect(Identifiers.actionID.problem(bad) != nil) }

        let missing = try #require(throws: ReactorError.self) { try Identifiers.check(Action(id: "", type: "T"), path: "actions[0]") }
        #expect(missing.code == .missingActionID)
        #expect(missing.details["path"] == "actions[0].id")
        let scope = try #require(throws: ReactorError.self) { try Identifiers.check(Action(id: "a", type: "T", scope: "a b"), path: "actions[2]") }
        #expect(scope.code == .invalidInput)
        #expect(scope.details["path"] == "actions[2].scope")
    }

    /// Action types, document types and relationship types follow rules too: no bidi overrides or zero-width
    /// characters that make two different names look the same.
    @Test func typesRefuseInvisibleCharacters() throws {
        #expect(Identifiers.actionType.problem("ADD_TODO") == nil)
        for bad in ["ADD\u{202E}TODO", "ADD\u{200B}TODO", "ADD\u{FEFF}", "", String(repeating: "T", count: 129)] {
            #expect(Identifiers.actionType.problem(bad) != nil, "\(bad)")
        }
        let type = try #require(throws: ReactorError.self) { try Identifiers.check(Action(id: "a", type: "A\u{2066}B"), path: "actions[1]") }
        #expect(type.details["path"] == "actions[1].type")
        for good in ["reactor/todo-list", "powerhouse/document-drive", "acme.com:invoice@2"] { #expect(Identifiers.documentType.problem(good) == nil) }
        for bad in ["reactor/todo\u{200B}list", "a b", "é", ""] { #expect(Identifiers.documentType.problem(bad) != nil, "\(bad)") }
        #expect(Identifiers.relationshipType.problem("child") == nil)
        for bad in ["chi\u{200D}ld", "a/b", ""] { #expect(Identifiers.relationshipType.problem(bad) != nil, "\(bad)") }
    }

    @Test func messagesShowInvisibleCharacters() throws {
        let error = try #require(throws: ReactorError.self) { try Identifiers.documentID.check("x\u{202E}y", path: "id") }
        #expect(error.message == "document id 'x\\u{202e}y' may contain only A–Z, a–z, 0–9 and - _ . ~ : @ + =")
    }
}

@Suite(.timeLimit(.minutes(1)))
struct RandomUUIDTests {
    @Test func formatsVersion4UUIDs() throws {
        #expect(RandomUUID.format(high: 0, low: 0) == "00000000-0000-4000-8000-000000000000")
        #expect(RandomUUID.format(high: .max, low: .max) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
        #expect(RandomUUID.format(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210) == "01234567-89ab-4def-bedc-ba9876543210")
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = RandomUUID.make()
            let parsed = try #require(UUID(uuidString: id), "\(id)")
            #expect(parsed.uuidString.lowercased() == id)
            #expect(Array(id.utf8)[14] == UInt8(ascii: "4"))
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}
