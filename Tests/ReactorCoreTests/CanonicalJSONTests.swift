import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// RFC 8785 canonical JSON: the committed golden vectors, round trips of arbitrary doubles, and (when an oracle
/// Python is given) an independent implementation agreeing with the vectors.
@Suite(.timeLimit(.minutes(2)))
struct CanonicalJSONTests {
    struct Vector: Decodable, CustomTestStringConvertible {
        var name: String
        var input: String
        var canonical: String?
        var error: String?
        var testDescription: String { name }
    }

    static let vectorsURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors/canonical-json.json")

    static let vectors: [Vector] = {
        struct File: Decodable { var vectors: [Vector] }
        // A missing or unreadable file gives no vectors, which `vectorsAreThere` turns into a failure.
        guard let data = try? Data(contentsOf: vectorsURL), let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.vectors
    }()

    @Test func vectorsAreThere() {
        #expect(Self.vectors.count >= 50)
        #expect(Self.vectors.contains { $0.error != nil })
    }

    @Test(arguments: vectors)
    func goldenVector(_ vector: Vector) throws {
        if let expectedError = vector.error {
            let error = try #require(throws: ReactorError.self) { try JSONValueCoder.parse(vector.input) }
            #expect(error.code == .invalidInput, "\(expectedError)")
            return
        }
        let expected = try #require(vector.canonical)
        let value = try JSONValueCoder.parse(vector.input)
        #expect(value.canonicalString == expected)
        // Canonical text reads back as the same value and is its own canonical form.
        let again = try JSONValueCoder.parse(expected)
        #expect(again.canonicalString == expected)
    }

    @Test func anyFiniteDoubleRoundTripsThroughItsCanonicalText() throws {
        var generator = SplitMix64(seed: 8785)
        var checked = 0
        while checked < 20_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            checked += 1
            let text = JSONValue.number(value).canonicalString
            let back = try JSONValueCoder.parse(text)
            #expect(back == .number(value == 0 ? 0 : value), "\(value) → \(text)")
            #expect(back.canonicalString == text)
        }
    }

    @Test func integersBeyondTwoToTheFiftyThreeFollowOneRule() throws {
        // The parser refuses what a double cannot hold; the encoder refuses the same values from Swift integers.
        #expect(throws: ReactorError.self) { try JSONValueCoder.parse("9007199254740993") }
        #expect(throws: (any Error).self) { try JSONValueCoder.encode(Int64(9_007_199_254_740_993)) }
        #expect(try JSONValueCoder.parse("9007199254740994") == .number(9_007_199_254_740_994))
        #expect(try JSONValueCoder.encode(Int64(9_007_199_254_740_994)) == .number(9_007_199_254_740_994))
        #expect(throws: (any Error).self) { try JSONValueCoder.encode(UInt64.max) }
        // Every integer literal of up to 2^53 is exact.
        #expect(try JSONValueCoder.parse("-9007199254740992") == .number(-9_007_199_254_740_992))
        #expect(try JSONValueCoder.decode(Int64.self, from: JSONValueCoder.parse("1234567890123456")) == 1_234_567_890_123_456)
    }

    @Test func duplicateKeysAreRefused() throws {
        let error = try #require(throws: ReactorError.self) { try JSONValueCoder.parse(#"{"a":1,"b":{"c":1,"c":2}}"#) }
        #expect(error.message.contains("duplicate key"))
        #expect(try JSONValueCoder.parse(#"{"a":{"c":1},"b":{"c":2}}"#)["b"]?["c"] == .number(2))
    }

    @Test func keysSortByUTF16CodeUnits() {
        // U+1F600 is the surrogate pair D83D DE00 in UTF-16, which sorts before U+E000 (and U+FB33), though its UTF-8
        // bytes (F0 …) sort after EE/EF.
        #expect(JSONValue.utf16Precedes("\u{1F600}", "\u{E000}"))
        #expect(!JSONValue.utf16Precedes("\u{E000}", "\u{1F600}"))
        #expect(JSONValue.utf16Precedes("\u{FFFF}", "\u{E000}") == false)
        #expect(JSONValue.utf16Precedes("a", "ab"))
        #expect(!JSONValue.utf16Precedes("ab", "ab"))
        let keys = ["\u{E000}", "\u{10000}", "z", "\u{1F600}", "\u{FFFF}", "\u{0080}", "\u{1F300}"]
        let sorted = keys.sorted(by: JSONValue.utf16Precedes)
        let byUTF16 = keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        #expect(sorted == byUTF16)
    }

    /// Runs the independent RFC 8785 implementation (PyPI `rfc8785`) over the same vectors. `.ci/run` sets
    /// `REACTOR_ORACLE_PYTHON` to a Python that has it; without it this test does not run.
    @Test(.enabled(if: OracleProcess.python != nil))
    func independentImplementationAgreesWithTheVectors() async throws {
        let python = try #require(OracleProcess.python)
        let script = OracleProcess.script("canonical_json.py")
        let result = try await OracleProcess.run(python, [script, Self.vectorsURL.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failed"))
    }
}
