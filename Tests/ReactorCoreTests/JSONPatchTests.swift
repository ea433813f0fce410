import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// RFC 6902 JSON Patch (the time-travel diffs): the patches written for chosen and random pairs, that applying them
/// gives the target exactly, RFC 6901 pointers, and (when an oracle Python is given) the PyPI `jsonpatch` package
/// applying the same patches.
@Suite(.timeLimit(.minutes(2)))
struct JSONPatchTests {
    @Test func equalValuesNeedNoPatch() {
        let value: JSONValue = ["a": [1, 2, ["b": nil]], "c": "x"]
        #expect(JSONPatch.diff(from: value, to: value).isEmpty)
    }

    @Test func objectsAreComparedMemberByMember() {
        let from: JSONValue = ["keep": 1, "gone": true, "change": ["deep": "old", "same": 0]]
        let to: JSONValue = ["keep": 1, "change": ["deep": "new", "same": 0], "new": nil]
        #expect(JSONPatch.diff(from: from, to: to) == [
            .replace("/change/deep", "new"), .remove("/gone"), .add("/new", nil),
        ])
    }

    @Test func arraysKeepTheirCommonEndsAndChangeTheTail() {
        // Appended: adds at the end, in order.
        #expect(JSONPatch.diff(from: [1, 2], to: [1, 2, 3, 4]) == [.add("/2", 3), .add("/3", 4)])
        // Shortened: removes from the highest index down.
        #expect(JSONPatch.diff(from: [1, 2, 3, 4], to: [1, 2]) == [.remove("/3"), .remove("/2")])
        // Inserted or removed at the front: one operation, not one per element.
        #expect(JSONPatch.diff(from: [2, 3, 4], to: [1, 2, 3, 4]) == [.add("/0", 1)])
        #expect(JSONPatch.diff(from: [1, 2, 3, 4], to: [2, 3, 4]) == [.remove("/0")])
        // Changed in place.
        #expect(JSONPatch.diff(from: [1, ["a": 1], 3], to: [1, ["a": 2], 3]) == [.replace("/1/a", 2)])
    }

    @Test func anotherKindIsReplacedWhole() {
        #expect(JSONPatch.diff(from: ["a": [1]], to: ["a": ["b": 1]]) == [.replace("/a", ["b": 1])])
        #expect(JSONPatch.diff(from: 1, to: "1") == [.replace("", "1")])
        #expect(JSONPatch.diff(from: [1], to: nil) == [.replace("", nil)])
    }

    @Test func pointersEscapeTildeAndSlash() throws {
        let from: JSONValue = ["a/b": 1, "m~n": 2, "": 3, "~1": 4]
        let to: JSONValue = ["a/b": 10, "m~n": 20, "": 30, "~1": 40]
        let patch = JSONPatch.diff(from: from, to: to)
        #expect(Set(patch.map(\.path)) == ["/a~1b", "/m~0n", "/", "/~01"])
        #expect(try JSONPatch.apply(patch, to: from) == to)
        #expect(JSONPatch.pointerTokens("/a~1b/~01/0") == ["a/b", "~1", "0"])
        #expect(JSONPatch.pointerTokens("") == [])
        #expect(JSONPatch.pointerTokens("a") == nil)
        #expect(JSONPatch.pointerTokens("/a~2") == nil)
        #expect(JSONPatch.pointer(["a/b", "~"]) == "/a~1b/~0")
        // A tilde followed by a combining mark is one Character, but still a tilde to escape.
        #expect(JSONPatch.escape("~\u{301}") == "~0\u{301}")
    }

    @Test func applyRefusesWhatDoesNotFit() throws {
        let document: JSONValue = ["a": [1, 2], "s": "x"]
        for (patch, path) in [
            ([JSONPatchOperation.remove("/nope")], "patch[0]"),
            ([.replace("/nope", 1)], "patch[0]"),
            ([.add("/a/0", 0), .add("/a/9", 1)], "patch[1]"),
            ([.remove("/a/2")], "patch[0]"),
            ([.add("/a/01", 1)], "patch[0]"),
            ([.add("/s/x", 1)], "patch[0]"),
            ([.add("a", 1)], "patch[0]"),
            ([.remove("")], "patch[0]"),
        ] {
            let error = try #require(throws: ReactorError.self) { try JSONPatch.apply(patch, to: document) }
            #expect(error.code == .invalidInput)
            #expect(error.details["path"] == path, "\(patch): \(error)")
        }
        #expect(try JSONPatch.apply([.add("/a/-", 3)], to: document) == ["a": [1, 2, 3], "s": "x"])
    }

    @Test func operationsEncodeAsRFC6902() throws {
        let patch: [JSONPatchOperation] = [.add("/a", nil), .remove("/b"), .replace("", [1])]
        #expect(patch.map(\.json) == [["op": "add", "path": "/a", "value": nil], ["op": "remove", "path": "/b"],
                                      ["op": "replace", "path": "", "value": [1]]])
        let encoded = try JSONValueCoder.encode(patch)
        #expect(encoded == .array(patch.map(\.json)))
        // `"value": null` is the value null, not an absent value.
        #expect(try JSONValueCoder.decode([JSONPatchOperation].self, from: encoded) == patch)
        #expect(throws: (any Error).self) { try JSONValueCoder.decode(JSONPatchOperation.self, from: ["op": "add", "path": "/a"]) }
    }

    /// Random pairs (one a mutation of the other, so that patches are small and deep): the patch applied to `from`
    /// gives `to`, and the patch of a value to itself is empty.
    @Test func randomPairsRoundTrip() throws {
        var random = SplitMix64(seed: 17)
        for _ in 0..<2_000 {
            let (from, to) = Self.randomPair(&random)
            let patch = JSONPatch.diff(from: from, to: to)
            #expect(try JSONPatch.apply(patch, to: from) == to, "\(from.canonicalString) → \(to.canonicalString): \(patch)")
            #expect(JSONPatch.diff(from: to, to: to).isEmpty)
        }
    }

    /// The PyPI `jsonpatch` package applies our patches (chosen cases and random pairs) and gets the target.
    @Test(.enabled(if: OracleProcess.python != nil))
    func independentImplementationAppliesThePatches() async throws {
        let python = try #require(OracleProcess.python)
        var random = SplitMix64(seed: 6902)
        var cases: [JSONValue] = []
        let chosen: [(JSONValue, JSONValue)] = [
            (["a/b": 1, "m~n": [1, 2, 3]], ["a/b": 2, "m~n": [0, 1, 2, 3, 4]]),
            ([1, 2, 3, 4, 5], [1, 5]), (["x": nil], ["x": ["y": nil]]), (1, ["whole": true]), (["": 1], ["": 2, " ": 3]),
        ]
        for (from, to) in chosen + (0..<500).map({ _ in Self.randomPair(&random) }) {
            cases.append(["from": from, "to": to, "patch": .array(JSONPatch.diff(from: from, to: to).map(\.json))])
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("json-patch-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(JSONValue.array(cases).canonicalData).write(to: file)
        let result = try await OracleProcess.run(python, [OracleProcess.script("json_patch.py"), file.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("\(cases.count) passed, 0 failed"), "\(result.output)")
    }

    // MARK: Random values

    static func randomPair(_ random: inout SplitMix64) -> (JSONValue, JSONValue) {
        let from = randomValue(&random, depth: 3)
        var to = from
        for _ in 0..<Int.random(in: 1...4, using: &random) { to = mutated(to, &random, depth: 3) }
        return (from, to)
    }

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        let kinds = depth > 0 ? 7 : 5
        switch Int.random(in: 0..<kinds, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(Double(Int.random(in: -3...3, using: &random)))
        case 3: return .number(Double(Int.random(in: -1000...1000, using: &random)) / 8)
        case 4: return .string(randomKey(&random))
        case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(&random, depth: depth - 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) { members[randomKey(&random)] = randomValue(&random, depth: depth - 1) }
            return .object(members)
        }
    }

    /// Keys from a small alphabet (so that pairs share keys), with the characters pointers escape.
    static func randomKey(_ random: inout SplitMix64) -> String {
        let alphabet: [String] = ["a", "b", "/", "~", "0", "1", "é", " "]
        return (0..<Int.random(in: 0...2, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    /// `value` with one random change somewhere inside: a member or element added, removed or replaced.
    static func mutated(_ value: JSONValue, _ random: inout SplitMix64, depth: Int) -> JSONValue {
        let descend = Bool.random(using: &random)
        switch value {
        case .array(var elements):
            if descend, !elements.isEmpty {
                let i = Int.random(in: 0..<elements.count, using: &random)
                elements[i] = mutated(elements[i], &random, depth: depth - 1)
            } else if !elements.isEmpty, Bool.random(using: &random) {
                elements.remove(at: Int.random(in: 0..<elements.count, using: &random))
            } else {
                elements.insert(randomValue(&random, depth: max(0, depth - 1)), at: Int.random(in: 0...elements.count, using: &random))
            }
            return .array(elements)
        case .object(var members):
            if descend, let key = members.keys.sorted().randomElement(using: &random) {
                members[key] = mutated(members[key]!, &random, depth: depth - 1)
            } else if let key = members.keys.sorted().randomElement(using: &random), Bool.random(using: &random) {
                members.removeValue(forKey: key)
            } else {
                members[randomKey(&random)] = randomValue(&random, depth: max(0, depth - 1))
            }
            return .object(members)
        default:
            return randomValue(&random, depth: max(0, depth))
        }
    }
}
