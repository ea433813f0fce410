import Foundation
import Testing

@testable import ReactorCore

private func parse(_ text: String) throws -> JSONValue {
    var parser = JSONParser(bytes: Array(text.utf8))
    return try parser.parseDocument()
}

private func parse(bytes: [UInt8]) throws -> JSONValue {
    var parser = JSONParser(bytes: bytes)
    return try parser.parseDocument()
}

private func failure(_ bytes: [UInt8]) -> JSONParser.Failure? {
    var parser = JSONParser(bytes: bytes)
    do {
        _ = try parser.parseDocument()
        return nil
    } catch let failure as JSONParser.Failure {
        return failure
    } catch {
        return nil
    }
}

private func failure(_ text: String) -> JSONParser.Failure? {
    failure(Array(text.utf8))
}

@Suite(.timeLimit(.minutes(3))) struct JSONParserTests {
    static let valid: [(String, JSONValue)] = [
        ("null", nil),
        ("true", true),
        ("false", false),
        (" \t\r\n 0 \n", 0),
        ("-0", .number(-0.0)),
        ("1", 1),
        ("-12", -12),
        ("123456789012345", 123_456_789_012_345),
        ("12345678901234567890e0", .number(1.2345678901234567890e19)),
        ("12345678901234567168", .number(1.2345678901234567168e19)),  // exactly a double
        ("1.5", 1.5),
        ("-0.25", -0.25),
        ("1e3", 1000),
        ("1E+3", 1000),
        ("25e-2", 0.25),
        ("0.1", 0.1),
        ("1.7976931348623157e308", .number(.greatestFiniteMagnitude)),
        ("5e-324", .number(.leastNonzeroMagnitude)),
        ("1e-400", 0),
        (#""""#, ""),
        (#""abc""#, "abc"),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u0041\u00e9\u20AC\u0000""#, "Aé€\u{0}"),
        (#""a\u00e9b""#, "aéb"),
        ("\"ü∑😀\"", "ü∑😀"),
        (#""\uD83D\uDE00""#, "😀"),
        (#""x\ud834\udd1ey""#, "x𝄞y"),
        ("[]", []),
        ("[ ]", []),
        ("{}", [:]),
        ("{ }", [:]),
        ("[1,[2,[3,[]]],{}]", [1, [2, [3, []]], [:]]),
        (#"{"a":{"b":[null,{"c":"d"}]}}"#, ["a": ["b": [nil, ["c": "d"]]]]),
        (#" { "a" : 1 , "b" : [ true , false ] } "#, ["a": 1, "b": [true, false]]),
        (#"{"":0}"#, ["": 0]),
        ("\u{FEFF}[1]", [1]),
    ]

    static let invalid: [String] = [
        "", " ", "nul", "nulll", "tru", "True", "NaN", "Infinity", "-Infinity", "undefined",
        "01", "-01", "00", "1.", "-", "-.5", ".5", "+1", "1e", "1e+", "1.e3", "0x10", "1 2", "1e400", "-1e400",
        "\"", "\"abc", #""\""#, #""\x""#, #""\u12""#, #""\u12G4""#, #""\uD83D""#, #""\uD83Dx""#, #""\uD83D\u0041""#,
        #""\uDE00""#, #""\uDE00\uD83D""#, "\"a\tb\"", "\"a\nb\"", "\"\u{1}\"", "'a'",
        "[", "]", "[1", "[1,", "[1,]", "[,1]", "[1 2]", "[1:2]", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#,
        #"{a:1}"#, #"{1:1}"#, #"{"a" 1}"#, #"{"a":1 "b":2}"#, #"{"a":1]"#, "[1}", "{}x", "[] []", "null,", "/* */1",
        // I-JSON: no duplicate keys; integers a double would change are refused, not rounded.
        #"{"a":1,"a":2}"#, #"{"a":{"b":1,"b":1}}"#, "12345678901234567890", "9007199254740993", "-9007199254740993",
    ]

    @Test(arguments: valid.indices)
    func acceptsValidText(_ index: Int) throws {
        let (text, expected) = Self.valid[index]
        let value = try parse(text)
        #expect(value == expected, "\(text)")
    }

    @Test(arguments: invalid)
    func rejectsInvalidText(_ text: String) throws {
        let failure = failure(text)
        #expect(failure != nil, "accepted \(text)")
        if let failure {
            #expect(failure.offset >= 0 && failure.offset <= text.utf8.count)
            #expect(!failure.reason.isEmpty)
        }
    }

    @Test func negativeZeroKeepsItsSign() throws {
        #expect(try parse("-0").doubleValue?.sign == .minus)
        #expect(try parse("-0.0").doubleValue?.sign == .minus)
    }

    @Test func rejectsInvalidUTF8() throws {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],  // never valid
            [0x22, 0xC0, 0x80, 0x22],  // overlong NUL
            [0x22, 0xE0, 0x80, 0x80, 0x22],  // overlong
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xC3, 0x22],  // truncated before the quote
            [0x22, 0xE2, 0x82, 0x22],  // truncated
            [0x22, 0xC3],  // truncated at end of input
            [0x22, 0x80, 0x22],  // lone continuation byte
            [0x22, 0x5C, 0x6E, 0xFE, 0x22],  // after an escape
            [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D],  // in a key
            [0xFF],  // outside a string
        ]
        for bytes in cases {
            let failure = failure(bytes)
            #expect(failure != nil, "accepted \(bytes)")
        }
        #expect(failure([0x22, 0x61, 0xFF, 0x22])?.offset == 2)
        #expect(failure([0x22, 0x61, 0xFF, 0x22])?.reason == "invalid UTF-8 in string")
        #expect(try parse(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == "😀")
    }

    @Test func surrogatePairsDecodeToOneScalar() throws {
        let value = try parse(#"["\uD83D\uDE00", "\uDBFF\uDFFF", "\uD800\uDC00"]"#)
        guard case .array(let strings) = value, strings.count == 3 else {
            Issue.record("unexpected \(value)")
            return
        }
        let scalars = strings.map { Array($0.stringValue!.unicodeScalars).map(\.value) }
        #expect(scalars == [[0x1F600], [0x10FFFF], [0x10000]])
        #expect(failure(#""\uD83D""#)?.reason.contains("surrogate") == true)
        #expect(failure(#""ab\uDE00""#)?.offset == 3)
    }

    @Test func reportsOffsets() {
        #expect(failure("[1,]")?.offset == 3)
        #expect(failure("01")?.offset == 1)
        #expect(failure("{\"a\":1} x")?.offset == 8)
        #expect(failure("\"abc")?.offset == 0)
        #expect(failure("\"a\u{7}\"")?.offset == 2)
        #expect(failure("")?.reason == "unexpected end of input, expected a value")
    }

    @Test func canonicalRoundTrip() throws {
        let value = try parse(#"{"b":1,"a":[true,null,"x\n"]}"#)
        #expect(value.canonicalString == #"{"a":[true,null,"x\n"],"b":1}"#)
        #expect(try parse(value.canonicalString) == value)

        let messy = #" { "z" : [ 1.5 , -2 , 1e2 ] , "é" : "\u00e9\t" , "a" : { } } "#
        let canonical = try parse(messy).canonicalString
        #expect(canonical == #"{"a":{},"z":[1.5,-2,100],"é":"é\t"}"#)
        #expect(try parse(canonical).canonicalString == canonical)
    }

    @Test func nestingLimit() throws {
        let limit = JSONParser.maximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try parse(deepest) }
        let objects = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
        #expect(throws: Never.self) { try parse(objects) }

        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(failure(tooDeep)?.offset == limit)
        let mixed = String(repeating: #"[{"a":"#, count: 300) + "1" + String(repeating: "}]", count: 300)
        #expect(failure(mixed) != nil)

        // Far beyond the limit, and unterminated: a clean failure, not a stack overflow.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(failure(hostile)?.reason.contains("nest deeper") == true)
        let hostileObjects = String(repeating: #"{"a":"#, count: 200_000)
        #expect(failure(hostileObjects) != nil)

        let error = #expect(throws: ReactorError.self) { try JSONValueCoder.parse(tooDeep) }
        #expect(error?.code == .invalidInput)
    }

    @Test func coderParseWrapsFailures() throws {
        #expect(try JSONValueCoder.parse("[1, 2]") == [1, 2])
        #expect(try JSONValueCoder.parse(Data("{\"a\":null}".utf8)) == ["a": nil])
        let error = #expect(throws: ReactorError.self) { try JSONValueCoder.parse("[1,]") }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.hasPrefix("malformed JSON at byte 3:") == true)
    }

    @Test func largeDocument() throws {
        var text = "["
        for i in 0..<20_000 {
            if i > 0 { text += "," }
            text += #"{"id":\#(i),"name":"item \#(i) \u00e9","ratio":\#(Double(i) / 7),"tags":["a","b"],"ok":true}"#
        }
        text += "]"
        let value = try parse(text)
        #expect(value.arrayValue?.count == 20_000)
        #expect(value.arrayValue?[19_999]["name"] == "item 19999 é")
        #expect(try parse(value.canonicalString) == value)
    }
}
