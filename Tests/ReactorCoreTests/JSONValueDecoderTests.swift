import Foundation
import Testing

@testable import ReactorCore

struct Item: Codable, Hashable {
    var text: String
    var count: Int?
}

struct ItemList: Codable, Hashable {
    var items: [Item]
}

struct Catalog: Codable, Hashable {
    var byName: [String: Item]
    var matrix: [[Int]]
}

/// Runs `body` and returns the `ReactorError` it throws.
private func reactorError(_ body: () throws -> Void) -> ReactorError? {
    do {
        try body()
        return nil
    } catch let error as ReactorError {
        return error
    } catch {
        return nil
    }
}

@Suite(.timeLimit(.minutes(3))) struct JSONValueDecoderTests {
    @Test func typeMismatchPathThroughCoder() throws {
        let input = try JSONValueCoder.parse(#"{"items":[{"text":1}]}"#)

        let decodingError = #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(ItemList.self, from: input) }
        guard case .typeMismatch(let type, let context) = decodingError else {
            Issue.record("expected typeMismatch, got \(String(describing: decodingError))")
            return
        }
        #expect(type is String.Type)
        #expect(context.codingPath.count == 3)
        #expect(context.codingPath[1].intValue == 0)

        let error = reactorError { _ = try JSONValueCoder.decode(ItemList.self, from: input) }
        #expect(error?.code == .invalidInput)
        #expect(error?.details["path"] == "items[0].text")
        #expect(error?.message == "field 'items[0].text' must be a string")
    }

    @Test func missingKeyPath() throws {
        let input: JSONValue = ["items": [["text": "a"], ["count": 1]]]
        let decodingError = #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(ItemList.self, from: input) }
        guard case .keyNotFound(let key, let context) = decodingError else {
            Issue.record("expected keyNotFound, got \(String(describing: decodingError))")
            return
        }
        #expect(key.stringValue == "text")
        #expect(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["items", "1"])

        let error = reactorError { _ = try JSONValueCoder.decode(ItemList.self, from: input) }
        #expect(error?.code == .invalidInput)
        #expect(error?.details["path"] == "items[1].text")
        #expect(error?.message == "field 'items[1].text' is required")

        let top = reactorError { _ = try JSONValueCoder.decode(ItemList.self, from: [:]) }
        #expect(top?.details["path"] == "items")
    }

    @Test func nullWhereValueRequired() throws {
        let error = reactorError { _ = try JSONValueCoder.decode(ItemList.self, from: ["items": [["text": nil]]]) }
        #expect(error?.details["path"] == "items[0].text")
        #expect(error?.message == "field 'items[0].text' must be a string, got null")

        let decodingError = #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(ItemList.self, from: ["items": [nil]])
        }
        guard case .valueNotFound = decodingError else {
            Issue.record("expected valueNotFound, got \(String(describing: decodingError))")
            return
        }
    }

    @Test func optionalsDecodeMissingAndNullAsNil() throws {
        let decoder = JSONValueDecoder()
        #expect(try decoder.decode(Item.self, from: ["text": "t"]) == Item(text: "t", count: nil))
        #expect(try decoder.decode(Item.self, from: ["text": "t", "count": nil]) == Item(text: "t", count: nil))
        #expect(try decoder.decode(Item.self, from: ["text": "t", "count": 3]) == Item(text: "t", count: 3))
        #expect(try decoder.decode(Int?.self, from: nil) == nil)
        #expect(try decoder.decode([Int?].self, from: [1, nil]) == [1, nil])
        let wrong = reactorError { _ = try JSONValueCoder.decode(Item.self, from: ["text": "t", "count": "3"]) }
        #expect(wrong?.details["path"] == "count")
        #expect(wrong?.message == "field 'count' must be an integer")
    }

    @Test func integersMustBeIntegralAndInRange() throws {
        let decoder = JSONValueDecoder()
        #expect(try decoder.decode(Int.self, from: 3) == 3)
        #expect(try decoder.decode(Int.self, from: .number(-0.0)) == 0)
        #expect(try decoder.decode(UInt8.self, from: 255) == 255)
        #expect(try decoder.decode(Int64.self, from: .number(0x1p62)) == 1 << 62)

        let fraction = #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: 1.5) }
        guard case .typeMismatch = fraction else {
            Issue.record("expected typeMismatch, got \(String(describing: fraction))")
            return
        }
        for (type, value): (any Decodable.Type, JSONValue) in [
            (UInt8.self, 256), (UInt8.self, -1), (Int8.self, -129), (Int.self, .number(1e19)), (UInt32.self, .number(5e9)),
        ] {
            let error = #expect(throws: DecodingError.self) { _ = try decoder.decode(type, from: value) }
            guard case .dataCorrupted = error else {
                Issue.record("expected dataCorrupted for \(type) from \(value), got \(String(describing: error))")
                continue
            }
        }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: "1") }
        #expect(throws: DecodingError.self) { try decoder.decode([UInt16].self, from: [1, 2, 70000]) }
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: .number(1e300)) }
        #expect(try decoder.decode(Float.self, from: 0.5) == 0.5)

        let path = reactorError { _ = try JSONValueCoder.decode([[Int]].self, from: [[1], [2, 2.5]]) }
        #expect(path?.details["path"] == "[1][1]")
        #expect(path?.message == "field '[1][1]' must be an integer")
    }

    @Test func dictionaryAndNestedArrayPaths() throws {
        let input: JSONValue = ["byName": ["5": ["text": 1]], "matrix": [[1]]]
        let error = reactorError { _ = try JSONValueCoder.decode(Catalog.self, from: input) }
        #expect(error?.details["path"] == "byName.5.text", "string keys never look like array indices")

        let matrix = reactorError {
            _ = try JSONValueCoder.decode(Catalog.self, from: ["byName": [:], "matrix": [[1], [2, "x"]]])
        }
        #expect(matrix?.details["path"] == "matrix[1][1]")

        let good: JSONValue = ["byName": ["a": ["text": "x", "count": 2]], "matrix": [[1, 2], []]]
        #expect(
            try JSONValueDecoder().decode(Catalog.self, from: good)
                == Catalog(byName: ["a": Item(text: "x", count: 2)], matrix: [[1, 2], []]))
        #expect(try JSONValueDecoder().decode([String: JSONValue].self, from: ["a": [1]]) == ["a": [1]])
        #expect(try JSONValueDecoder().decode([Int: String].self, from: ["1": "one"]) == [1: "one"])
    }

    @Test func wrongContainerKinds() throws {
        let top = reactorError { _ = try JSONValueCoder.decode(ItemList.self, from: [1]) }
        #expect(top?.details["path"] == "$")
        let element = reactorError { _ = try JSONValueCoder.decode(ItemList.self, from: ["items": ["x"]]) }
        #expect(element?.details["path"] == "items[0]")
        let array = reactorError { _ = try JSONValueCoder.decode([Int].self, from: ["a": 1]) }
        #expect(array?.details["path"] == "$")
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Bool.self, from: 1) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(String.self, from: true) }
    }

    @Test func enumsDecode() throws {
        let decoder = JSONValueDecoder()
        #expect(try decoder.decode(Priority.self, from: "normal") == .normal)
        #expect(try decoder.decode(Level.self, from: 1) == .one)
        #expect(try decoder.decode(Shape.self, from: ["circle": ["radius": 2]]) == .circle(radius: 2))
        #expect(try decoder.decode(Shape.self, from: ["point": [:]]) == .point)
        #expect(throws: DecodingError.self) { try decoder.decode(Priority.self, from: "urgent") }
        let error = reactorError { _ = try JSONValueCoder.decode([Priority].self, from: ["low", "urgent"]) }
        #expect(error?.details["path"] == "[1]")
    }

    @Test func unkeyedContainerAtEnd() throws {
        struct Pair: Decodable {
            var a: Int
            var b: Int
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                a = try c.decode(Int.self)
                b = try c.decode(Int.self)
            }
        }
        #expect(try JSONValueDecoder().decode(Pair.self, from: [1, 2]).b == 2)
        let error = #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Pair.self, from: [1]) }
        guard case .valueNotFound(_, let context) = error else {
            Issue.record("expected valueNotFound, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.last?.intValue == 1)
    }
}
