import Foundation
import Testing

@testable import ReactorCore

// MARK: - Fixtures

enum Priority: String, Codable, Hashable, CaseIterable {
    case low, normal, high
}

enum Level: Int, Codable, Hashable {
    case one = 1, two = 2
}

enum Shape: Codable, Hashable {
    case circle(radius: Double)
    case rect(width: Double, height: Double)
    case point
}

struct Tag: Codable, Hashable {
    var name: String
    var weight: Double?
}

struct TodoTask: Codable, Hashable {
    var id: Int
    var title: String
    var done: Bool
    var ratio: Double
    var note: String?
    var priority: Priority
    var level: Level?
    var tags: [Tag]
    var counts: [String: Int]
    var nested: [[Int?]]
    var shape: Shape
    var extra: JSONValue?
    var small: Int8
    var big: UInt64
    var float: Float
}

extension TodoTask {
    static let sample = TodoTask(
        id: 42, title: "Write \"coder\"\n", done: true, ratio: 0.25, note: nil, priority: .high, level: .two,
        tags: [Tag(name: "a", weight: 1.5), Tag(name: "ü∑😀", weight: nil)],
        counts: ["x": 1, "5": -7, "": 0], nested: [[1, nil, 3], [], [nil]],
        shape: .rect(width: 2, height: 3.5), extra: ["k": [1, "two", nil, false]],
        small: -128, big: 9_007_199_254_740_992, float: 1.5)
}

/// Uses every container kind by hand, including nested containers and super encoders.
struct Manual: Codable, Hashable {
    var a: Int
    var pair: [String]
    var inner: String
    var base: Int

    enum Keys: String, CodingKey { case a, pair, box, base }
    enum BoxKeys: String, CodingKey { case inner }

    init(a: Int, pair: [String], inner: String, base: Int) {
        self.a = a
        self.pair = pair
        self.inner = inner
        self.base = base
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(a, forKey: .a)
        var u = c.nestedUnkeyedContainer(forKey: .pair)
        for s in pair { try u.encode(s) }
        var box = c.nestedContainer(keyedBy: BoxKeys.self, forKey: .box)
        try box.encode(inner, forKey: .inner)
        var sup = c.superEncoder(forKey: .base).singleValueContainer()
        try sup.encode(base)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        a = try c.decode(Int.self, forKey: .a)
        var u = try c.nestedUnkeyedContainer(forKey: .pair)
        var pair: [String] = []
        while !u.isAtEnd { pair.append(try u.decode(String.self)) }
        self.pair = pair
        inner = try c.nestedContainer(keyedBy: BoxKeys.self, forKey: .box).decode(String.self, forKey: .inner)
        base = try c.superDecoder(forKey: .base).singleValueContainer().decode(Int.self)
    }
}

/// Class inheritance through `superEncoder()` / `superDecoder()`.
class Animal: Codable {
    var name: String
    init(name: String) { self.name = name }
}

final class Dog: Animal {
    var goodBoy: Bool
    enum Keys: String, CodingKey { case goodBoy }

    init(name: String, goodBoy: Bool) {
        self.goodBoy = goodBoy
        super.init(name: name)
    }

    required init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        goodBoy = try c.decode(Bool.self, forKey: .goodBoy)
        try super.init(from: c.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(goodBoy, forKey: .goodBoy)
        try super.encode(to: c.superEncoder())
    }
}

/// Unkeyed nested containers and super encoders.
struct Grid: Codable, Hashable {
    var rows: [[Int]]
    var footer: String

    init(rows: [[Int]], footer: String) {
        self.rows = rows
        self.footer = footer
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for row in rows {
            var r = c.nestedUnkeyedContainer()
            for x in row { try r.encode(x) }
        }
        var footerBox = c.nestedContainer(keyedBy: JSONKeys.self)
        try footerBox.encode(footer, forKey: .footer)
        try "end".encode(to: c.superEncoder())
    }

    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        var rows: [[Int]] = []
        while (c.count ?? 0) - c.currentIndex > 2 {
            var r = try c.nestedUnkeyedContainer()
            var row: [Int] = []
            while !r.isAtEnd { row.append(try r.decode(Int.self)) }
            rows.append(row)
        }
        self.rows = rows
        footer = try c.nestedContainer(keyedBy: JSONKeys.self).decode(String.self, forKey: .footer)
        let end = try String(from: c.superDecoder())
        guard end == "end" else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "bad end") }
    }

    enum JSONKeys: String, CodingKey { case footer }
}

/// Reports what it finds in `userInfo`.
struct Probe: Codable {
    static let key = CodingUserInfoKey(rawValue: "probe")!
    var seen: String
    init(seen: String) { self.seen = seen }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(encoder.userInfo[Probe.key] as? String ?? "none")
    }
    init(from decoder: any Decoder) throws {
        seen = decoder.userInfo[Probe.key] as? String ?? "none"
    }
}

// MARK: - Tests

@Suite(.timeLimit(.minutes(3))) struct JSONValueEncoderTests {
    @Test func roundTripsNestedStruct() throws {
        let value = try JSONValueEncoder().encode(TodoTask.sample)
        let back = try JSONValueDecoder().decode(TodoTask.self, from: value)
        #expect(back == TodoTask.sample)
    }

    @Test func roundTripsThroughText() throws {
        let text = try JSONValueCoder.encode(TodoTask.sample).canonicalString
        let back = try JSONValueCoder.decode(TodoTask.self, from: JSONValueCoder.parse(text))
        #expect(back == TodoTask.sample)
    }

    @Test func producesExpectedTree() throws {
        let value = try JSONValueEncoder().encode(TodoTask.sample)
        #expect(value["id"] == .number(42))
        #expect(value["title"] == .string("Write \"coder\"\n"))
        #expect(value["done"] == .bool(true))
        #expect(value["note"] == nil, "nil optionals are omitted")
        #expect(value["priority"] == "high")
        #expect(value["level"] == 2)
        #expect(value["tags"] == [["name": "a", "weight": 1.5], ["name": "ü∑😀"]])
        #expect(value["counts"] == ["x": 1, "5": -7, "": 0])
        #expect(value["nested"] == [[1, nil, 3], [], [nil]])
        #expect(value["shape"] == ["rect": ["width": 2, "height": 3.5]])
        #expect(value["extra"] == ["k": [1, "two", nil, false]])
        #expect(value["big"] == .number(9_007_199_254_740_992))
        #expect(value["float"] == 1.5)
    }

    @Test func encodesPrimitivesAtTopLevel() throws {
        let encoder = JSONValueEncoder()
        #expect(try encoder.encode(3) == .number(3))
        #expect(try encoder.encode(UInt8(255)) == .number(255))
        #expect(try encoder.encode(-2.5) == .number(-2.5))
        #expect(try encoder.encode("s") == .string("s"))
        #expect(try encoder.encode(false) == .bool(false))
        #expect(try encoder.encode(Int?.none) == .null)
        #expect(try encoder.encode([Int?.none, 1]) == [nil, 1])
        #expect(try encoder.encode(Priority.low) == "low")
        #expect(try encoder.encode(["b": [true]]) == ["b": [true]])
        #expect(try encoder.encode([String: Int]()) == .object([:]))
        #expect(try encoder.encode([Int]()) == .array([]))
    }

    @Test func jsonValueIsEncodedUnchanged() throws {
        let values: [JSONValue] = [
            .null, true, .number(1e300), .number(0.1), .number(-0.0), "x", [1, [2, [3]]],
            ["a": ["b": nil], "c": [1.5]],
        ]
        for value in values {
            #expect(try JSONValueEncoder().encode(value) == value)
            #expect(try JSONValueEncoder().encode(["wrapped": value]) == ["wrapped": value])
            #expect(try JSONValueEncoder().encode([value]) == [value])
            #expect(try JSONValueDecoder().decode(JSONValue.self, from: value) == value)
        }
        // A JSON value holding a non-integral-looking large number is not reinterpreted as Int64.
        #expect(try JSONValueEncoder().encode(JSONValue.number(1e20)) == .number(1e20))
    }

    @Test func explicitNilIsNull() throws {
        struct ExplicitNil: Encodable {
            var a: Int?
            enum CodingKeys: CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encodeIfPresent(a, forKey: .a)
                try c.encodeNil(forKey: .b)
            }
        }
        #expect(try JSONValueEncoder().encode(ExplicitNil(a: nil)) == ["b": nil])
        #expect(try JSONValueEncoder().encode(ExplicitNil(a: 1)) == ["a": 1, "b": nil])
    }

    @Test func nonFiniteNumbersThrow() throws {
        struct Holder: Encodable {
            var values: [Double]
        }
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(bad) }
            #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Float(bad)) }
        }
        let error = #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Holder(values: [1, .nan])) }
        guard case .invalidValue(_, let context) = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["values", "Index 1"])
        #expect(context.codingPath.last?.intValue == 1)

        #expect(throws: ReactorError.self) { try JSONValueCoder.encode(["x": Double.infinity]) }
    }

    @Test func inexactIntegersThrow() throws {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Int64.max) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(UInt64(9_007_199_254_740_993)) }
        #expect(try JSONValueEncoder().encode(Int64(1) << 60) == .number(0x1p60))
    }

    @Test func manualContainersRoundTrip() throws {
        let manual = Manual(a: 1, pair: ["x", "y"], inner: "in", base: 9)
        let value = try JSONValueEncoder().encode(manual)
        #expect(value == ["a": 1, "pair": ["x", "y"], "box": ["inner": "in"], "base": 9])
        #expect(try JSONValueDecoder().decode(Manual.self, from: value) == manual)

        let grid = Grid(rows: [[1, 2], [], [3]], footer: "f")
        let gridValue = try JSONValueEncoder().encode(grid)
        #expect(gridValue == [[1, 2], [], [3], ["footer": "f"], "end"])
        #expect(try JSONValueDecoder().decode(Grid.self, from: gridValue) == grid)
    }

    @Test func classInheritanceUsesSuper() throws {
        let value = try JSONValueEncoder().encode(Dog(name: "Rex", goodBoy: true))
        #expect(value == ["goodBoy": true, "super": ["name": "Rex"]])
        let dog = try JSONValueDecoder().decode(Dog.self, from: value)
        #expect(dog.name == "Rex")
        #expect(dog.goodBoy)
    }

    @Test func foundationTypesUseTheirOwnCoding() throws {
        let date = Date(timeIntervalSinceReferenceDate: 12.5)
        #expect(try JSONValueEncoder().encode(date) == .number(12.5))
        #expect(try JSONValueDecoder().decode(Date.self, from: .number(12.5)) == date)
        let uuid = UUID()
        #expect(try JSONValueDecoder().decode(UUID.self, from: JSONValueEncoder().encode(uuid)) == uuid)
    }

    @Test func containerMisuseThrowsInsteadOfTrapping() throws {
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var single = encoder.singleValueContainer()
                try single.encode(1)
                try single.encode(2)
            }
        }
        struct Mixed: Encodable {
            func encode(to encoder: any Encoder) throws {
                var single = encoder.singleValueContainer()
                try single.encode(1)
                var keyed = encoder.container(keyedBy: JSONCodingKey.self)
                try keyed.encode(2, forKey: JSONCodingKey(stringValue: "x"))
            }
        }
        struct Nothing: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Twice()) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Mixed()) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Nothing()) }
        #expect(try JSONValueEncoder().encode(["n": Nothing()]) == ["n": [:]])
    }

    @Test func userInfoIsPassedThrough() throws {
        var encoder = JSONValueEncoder()
        encoder.userInfo[Probe.key] = "enc"
        #expect(try encoder.encode([Probe(seen: "")]) == ["enc"])
        var decoder = JSONValueDecoder()
        decoder.userInfo[Probe.key] = "dec"
        #expect(try decoder.decode([Probe].self, from: [1]).first?.seen == "dec")
    }
}
