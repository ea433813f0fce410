/// A strict RFC 8259 JSON parser that reads UTF-8 bytes into a ``JSONValue``.
///
/// - Any value may be the top-level value; white space around it is allowed, anything else after it is an error.
///   A leading UTF-8 byte order mark is ignored (RFC 8259 §8.1 allows this).
/// - Numbers follow the JSON grammar exactly (no leading zeros, no `1.`, `.5`, `+1`, `NaN`, …); numbers too large for
///   a `Double` are rejected.
/// - Strings must be valid UTF-8 with no raw control characters; every escape is supported, `\uXXXX` surrogate pairs
///   are combined and lone surrogates rejected.
/// - An object with a key twice is rejected (RFC 7493, I-JSON §2.3): two readers must never see different values.
///   Keys are compared as Swift strings, so two canonically equivalent spellings of a key count as the same key.
/// - A number is an IEEE-754 double (RFC 8785 §3.2.2.3). A number with a fraction or an exponent is read as the
///   nearest double. An integer (no fraction, no exponent) must be one a double holds exactly (every integer up to
///   2^53 in magnitude, and larger ones such as `9007199254740994` or 10^21), or the double's own canonical spelling
///   (`1152921504606847000` for 2^60), so canonical text always reads back; `9007199254740993` is rejected rather
///   than changed. Send other large integers as strings.
/// - Arrays and objects may nest at most ``maximumDepth`` deep, so hostile input fails cleanly instead of exhausting
///   the stack.
struct JSONParser {
    /// Why parsing failed and where.
    struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The byte offset in the input where the problem was found.
        var offset: Int
        /// A human-readable explanation.
        var reason: String

        var description: String { "byte \(offset): \(reason)" }
    }

    /// The deepest nesting of arrays and objects accepted (`[[…]]` 512 levels deep parses, 513 does not).
    static let maximumDepth = 512

    private let bytes: [UInt8]
    /// Where parsing stopped: the end of the input after success, the failure offset after an error.
    private(set) var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses the whole input as one JSON text.
    ///
    /// - Throws: ``Failure`` when the input is not exactly one valid JSON value (plus white space).
    mutating func parseDocument() throws -> JSONValue {
        do {
            let (value, end) = try bytes.withUnsafeBufferPointer { buffer throws(Failure) in
                var reader = Reader(buffer)
                let value = try reader.parseDocument()
                return (value, reader.index)
            }
            offset = end
            return value
        } catch {
            offset = error.offset
            throw error
        }
    }
}

extension JSONParser {
    /// The parser proper: a cursor over the input bytes.
    fileprivate struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        let end: Int
        var index = 0
        /// Reused for strings that contain escapes.
        var scratch: [UInt8] = []
        /// The elements of the arrays being parsed, innermost last; each array is copied out at its end, so arrays
        /// are allocated once at their final size.
        var elementStack: [JSONValue] = []
        /// The members of the objects being parsed, innermost last; each dictionary is built at its final size.
        var memberStack: [(key: String, value: JSONValue, offset: Int)] = []

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            self.buffer = buffer
            self.end = buffer.count
        }

        // MARK: Document and values

        mutating func parseDocument() throws(Failure) -> JSONValue {
            if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { index = 3 }
            skipWhitespace()
            let value = try parseValue(depth: 0)
            skipWhitespace()
            if index < end { throw Failure(offset: index, reason: "unexpected \(describe(buffer[index])) after the JSON value") }
            return value
        }

        /// Parses the value at `index` (white space already skipped); `depth` counts the enclosing containers.
        mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
            guard index < end else { throw Failure(offset: index, reason: "unexpected end of input, expected a value") }
            switch buffer[index] {
            case UInt8(ascii: "{"):
                guard depth < JSONParser.maximumDepth else { throw tooDeep() }
                return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["):
                guard depth < JSONParser.maximumDepth else { throw tooDeep() }
                return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""):
                return .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try parseNumber()
            case let byte:
                throw Failure(offset: index, reason: "unexpected \(describe(byte)), expected a value")
            }
        }

        mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
            index += 1  // [
            skipWhitespace()
            if index < end, buffer[index] == UInt8(ascii: "]") {
                index += 1
                return .array([])
            }
            let base = elementStack.count
            while true {
                skipWhitespace()
                let element = try parseValue(depth: depth)
                elementStack.append(element)
                skipWhitespace()
                guard index < end else { throw Failure(offset: index, reason: "unexpected end of input, expected ',' or ']'") }
                switch buffer[index] {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    let elements = Array(elementStack[base...])
                    elementStack.removeSubrange(base...)
                    return .array(elements)
                case let byte:
                    throw Failure(offset: index, reason: "unexpected \(describe(byte)), expected ',' or ']'")
                }
            }
        }

        mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
            index += 1  // {
            skipWhitespace()
            if index < end, buffer[index] == UInt8(ascii: "}") {
                index += 1
                return .object([:])
            }
            let base = memberStack.count
            while true {
                skipWhitespace()
                guard index < end else { throw Failure(offset: index, reason: "unexpected end of input, expected a string key") }
                guard buffer[index] == UInt8(ascii: "\"") else {
                    throw Failure(offset: index, reason: "unexpected \(describe(buffer[index])), expected a string key")
                }
                let keyOffset = index
                let key = try parseString()
                skipWhitespace()
                guard index < end else { throw Failure(offset: index, reason: "unexpected end of input, expected ':'") }
                guard buffer[index] == UInt8(ascii: ":") else {
                    throw Failure(offset: index, reason: "unexpected \(describe(buffer[index])), expected ':'")
                }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth)
                memberStack.append((key, value, keyOffset))
                skipWhitespace()
                guard index < end else { throw Failure(offset: index, reason: "unexpected end of input, expected ',' or '}'") }
                switch buffer[index] {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    var members: [String: JSONValue] = Dictionary(minimumCapacity: memberStack.count - base)
                    for k in base..<memberStack.count {
                        let member = memberStack[k]
                        guard members.updateValue(member.value, forKey: member.key) == nil else {
                            memberStack.removeSubrange(base...)
                            throw Failure(offset: member.offset, reason: "duplicate key \"\(member.key)\" in an object")
                        }
                    }
                    memberStack.removeSubrange(base...)
                    return .object(members)
                case let byte:
                    throw Failure(offset: index, reason: "unexpected \(describe(byte)), expected ',' or '}'")
                }
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
            let count = literal.utf8CodeUnitCount
            let start = literal.utf8Start
            var k = 0
            while k < count {
                guard index + k < end, buffer[index + k] == start[k] else {
                    throw Failure(offset: index + k, reason: "invalid literal, expected '\(literal)'")
                }
                k += 1
            }
            index += count
        }

        // MARK: Numbers

        mutating func parseNumber() throws(Failure) -> JSONValue {
            let start = index
            var negative = false
            if buffer[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            guard index < end, isDigit(buffer[index]) else { throw Failure(offset: index, reason: "expected a digit") }

            var integer: UInt64 = 0
            var integerDigits = 0
            var isInteger = true
            if buffer[index] == UInt8(ascii: "0") {
                index += 1
                if index < end, isDigit(buffer[index]) {
                    throw Failure(offset: index, reason: "leading zeros are not allowed in numbers")
                }
            } else {
                while index < end, isDigit(buffer[index]) {
                    integer = integer &* 10 &+ UInt64(buffer[index] &- UInt8(ascii: "0"))
                    integerDigits += 1
                    index += 1
                }
            }
            if index < end, buffer[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard index < end, isDigit(buffer[index]) else {
                    throw Failure(offset: index, reason: "expected a digit after the decimal point")
                }
                while index < end, isDigit(buffer[index]) { index += 1 }
            }
            if index < end, buffer[index] == UInt8(ascii: "e") || buffer[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < end, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") { index += 1 }
                guard index < end, isDigit(buffer[index]) else {
                    throw Failure(offset: index, reason: "expected a digit in the exponent")
                }
                while index < end, isDigit(buffer[index]) { index += 1 }
            }

            // Integers of up to 15 digits are exact in a Double; everything else goes through the correctly
            // rounding standard-library conversion.
            if isInteger, integerDigits <= 15 {
                let magnitude = Double(integer)
                return .number(negative ? -magnitude : magnitude)
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else {
                throw Failure(offset: start, reason: "number \(text) is out of range")
            }
            if isInteger, !ExactInteger.isExact(digits: UnsafeBufferPointer(rebasing: buffer[(negative ? start + 1 : start)..<index])),
               !JSONValue.isCanonicalSpelling(UnsafeBufferPointer(rebasing: buffer[start..<index]), of: number) {
                throw Failure(offset: start, reason: "integer \(text) cannot be held exactly (a JSON number is a double: integers beyond 2^53 lose digits); send it as a string")
            }
            return .number(number)
        }

        // MARK: Strings

        /// Parses the string starting at the opening quote at `index`.
        mutating func parseString() throws(Failure) -> String {
            let quote = index
            index += 1
            let start = index
            try scanPlainRun()
            guard index < end else { throw unterminated(quote) }
            if buffer[index] == UInt8(ascii: "\"") {
                // No escapes: the bytes are the string (already validated).
                let string = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
                index += 1
                return string
            }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index]))
            while true {
                // buffer[index] is a backslash.
                try parseEscape()
                let runStart = index
                try scanPlainRun()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
                guard index < end else { throw unterminated(quote) }
                if buffer[index] == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: scratch, as: UTF8.self)
                }
            }
        }

        /// Advances over string content up to a quote, a backslash or the end of input, validating UTF-8 and
        /// rejecting raw control characters.
        mutating func scanPlainRun() throws(Failure) {
            while index < end {
                let byte = buffer[index]
                if byte < 0x80 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return }
                    if byte < 0x20 {
                        throw Failure(offset: index, reason: "unescaped control character \(describe(byte)) in string")
                    }
                    index += 1
                } else {
                    try skipMultiByteScalar()
                }
            }
        }

        /// Validates and skips one multi-byte UTF-8 sequence (Unicode Table 3-7: no overlong forms, no surrogates,
        /// nothing above U+10FFFF).
        mutating func skipMultiByteScalar() throws(Failure) {
            let lead = buffer[index]
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: throw invalidUTF8(index)
            }
            guard index + length <= end else { throw invalidUTF8(index) }
            let second = buffer[index + 1]
            guard second >= low, second <= high else { throw invalidUTF8(index) }
            var k = 2
            while k < length {
                guard buffer[index + k] & 0xC0 == 0x80 else { throw invalidUTF8(index) }
                k += 1
            }
            index += length
        }

        /// Parses the escape sequence at `index` (a backslash) and appends its UTF-8 to `scratch`.
        mutating func parseEscape() throws(Failure) {
            let escape = index
            index += 1
            guard index < end else { throw Failure(offset: escape, reason: "unterminated escape sequence") }
            let byte = buffer[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                let unit = try parseHex4()
                var scalar: UInt32
                switch unit {
                case 0xD800...0xDBFF:
                    guard index + 1 < end, buffer[index] == UInt8(ascii: "\\"), buffer[index + 1] == UInt8(ascii: "u") else {
                        throw Failure(offset: escape, reason: "high surrogate \\u\(hex(unit)) is not followed by a low surrogate")
                    }
                    index += 2
                    let second = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(second) else {
                        throw Failure(offset: escape, reason: "high surrogate \\u\(hex(unit)) is not followed by a low surrogate")
                    }
                    scalar = 0x10000 + ((unit - 0xD800) << 10) + (second - 0xDC00)
                case 0xDC00...0xDFFF:
                    throw Failure(offset: escape, reason: "lone low surrogate \\u\(hex(unit))")
                default:
                    scalar = unit
                }
                appendUTF8(scalar)
            default:
                throw Failure(offset: escape, reason: "invalid escape sequence '\\\(describe(byte, quoted: false))'")
            }
        }

        /// Parses four hex digits at `index`.
        mutating func parseHex4() throws(Failure) -> UInt32 {
            guard index + 4 <= end else { throw Failure(offset: index, reason: "expected four hex digits after \\u") }
            var value: UInt32 = 0
            for k in 0..<4 {
                let byte = buffer[index + k]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Failure(offset: index + k, reason: "expected four hex digits after \\u")
                }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }

        mutating func appendUTF8(_ scalar: UInt32) {
            switch scalar {
            case 0..<0x80:
                scratch.append(UInt8(scalar))
            case 0x80..<0x800:
                scratch.append(UInt8(0xC0 | (scalar >> 6)))
                scratch.append(UInt8(0x80 | (scalar & 0x3F)))
            case 0x800..<0x10000:
                scratch.append(UInt8(0xE0 | (scalar >> 12)))
                scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                scratch.append(UInt8(0x80 | (scalar & 0x3F)))
            default:
                scratch.append(UInt8(0xF0 | (scalar >> 18)))
                scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
                scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                scratch.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }

        // MARK: Helpers

        mutating func skipWhitespace() {
            while index < end {
                switch buffer[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        func isDigit(_ byte: UInt8) -> Bool {
            byte &- UInt8(ascii: "0") < 10
        }

        func tooDeep() -> Failure {
            Failure(offset: index, reason: "arrays and objects nest deeper than \(JSONParser.maximumDepth) levels")
        }

        func unterminated(_ quote: Int) -> Failure {
            Failure(offset: quote, reason: "unterminated string")
        }

        func invalidUTF8(_ offset: Int) -> Failure {
            Failure(offset: offset, reason: "invalid UTF-8 in string")
        }

        func hex(_ unit: UInt32) -> String {
            let digits = String(unit, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }

        /// A byte for an error message: `'x'` for printable ASCII, else `0xNN`.
        func describe(_ byte: UInt8, quoted: Bool = true) -> String {
            if byte >= 0x21, byte < 0x7F {
                let character = String(UnicodeScalar(byte))
                return quoted ? "'\(character)'" : character
            }
            return byte == 0x20 ? "' '" : "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
    }
}
