import Foundation
import ReactorTesting
import Testing

@testable import ReactorCore

/// `JSONValueEncoder.canonicalData(_:)` writes exactly the canonical bytes of what `encode(_:)` returns: the state
/// hash of a native state must equal the hash of its JSON.
@Suite(.timeLimit(.minutes(2)))
struct CanonicalEncodingTests {
    private func expectSameBytes<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let encoder = JSONValueEncoder()
        let direct = try encoder.canonicalData(value)
        let viaJSON = try encoder.encode(value).canonicalData
        #expect(direct == viaJSON, "\(String(decoding: direct, as: UTF8.self)) vs \(String(decoding: viaJSON, as: UTF8.self))",
                sourceLocation: sourceLocation)
    }

    @Test func everyContainerKindWritesTheSameBytes() throws {
        try expectSameBytes(TodoTask.sample)
        try expectSameBytes(Manual(a: 1, pair: ["x", "y\u{1}"], inner: "in", base: 7))
        try expectSameBytes(Dog(name: "Rex \"the\" dog", goodBoy: true))
        try expectSameBytes(Grid(rows: [[1, 2], [], [3]], footer: "f"))
        try expectSameBytes([TodoTask.sample, TodoTask.sample])
        try expectSameBytes(["b": 1, "a": 2, "\u{E000}": 3, "😀": 4])
        try expectSameBytes("a string with \\ and \u{7F} and \t")
        try expectSameBytes(3.25)
        try expectSameBytes(Optional<Int>.none)
        // Large objects: the sort of many keys, and the index a long object keeps for keys set again.
        try expectSameBytes(Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0 * 7 % 40)", $0) }))
        try expectSameBytes(Repeats(count: 5))
        try expectSameBytes(Repeats(count: 30))
    }

    /// Sets every key once, then some again (the last value wins, in the first value's place).
    private struct Repeats: Encodable {
        let count: Int
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: JSONCodingKey.self)
            for i in 0..<count { try c.encode(i, forKey: JSONCodingKey(stringValue: "key\(i)")) }
            for i in stride(from: 0, to: count, by: 3) { try c.encode("again \(i)", forKey: JSONCodingKey(stringValue: "key\(i)")) }
            var nested = c.nestedUnkeyedContainer(forKey: JSONCodingKey(stringValue: "key1"))
            try nested.encode(true)
        }
    }

    @Test func randomJSONValuesWriteTheSameBytes() throws {
        var generator = SplitMix64(seed: 12)
        for _ in 0..<300 {
            try expectSameBytes(Self.randomValue(depth: 4, using: &generator))
        }
    }

    @Test func failuresAreTheEncodersFailures() throws {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().canonicalData(Double.nan) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().canonicalData(Empty()) }
    }

    private struct Empty: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    static func randomValue(depth: Int, using g: inout SplitMix64) -> JSONValue {
        let pick = Int.random(in: 0..<(depth > 0 ? 7 : 4), using: &g)
        switch pick {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .number([0, -0.0, 1e21, 1e-7, 123.456, -42, 9_007_199_254_740_991][Int.random(in: 0..<7, using: &g)])
        case 3: return .string(["", "plain", "quote\"s", "tab\t", "\u{0}\u{1F}", "ünï", "😀\u{E000}"][Int.random(in: 0..<7, using: &g)])
        case 4, 5:
            return .array((0..<Int.random(in: 0..<5, using: &g)).map { _ in randomValue(depth: depth - 1, using: &g) })
        default:
            var members: [String: JSONValue] = [:]
            for i in 0..<Int.random(in: 0..<5, using: &g) {
                members[["k\(i)", "\u{E000}\(i)", "😀\(i)", "é\(i)"][Int.random(in: 0..<4, using: &g)]] = randomValue(depth: depth - 1, using: &g)
            }
            return .object(members)
        }
    }
}
