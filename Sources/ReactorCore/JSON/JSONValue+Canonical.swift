/// Canonical JSON: the JSON Canonicalization Scheme of RFC 8785 (JCS).
///
/// - Object members are sorted by their keys compared as arrays of UTF-16 code units (so a key with a character
///   outside the Basic Multilingual Plane, written as a surrogate pair, sorts before `U+E000`…`U+FFFF`).
/// - No insignificant white space.
/// - Numbers are written as ECMAScript's `Number.prototype.toString` writes an IEEE-754 double: the shortest digits
///   that read back as the same double, `1e-7`, `1e+21`, `0.000001`, `123456789012345680000`; `-0` is `0`.
/// - Strings escape only `"`, `\` and the control characters below `U+0020` (`\b \t \n \f \r` by name, the others as
///   `\u00xx` in lower-case hex); every other character is written as its UTF-8 bytes.
///
/// Equal values always give equal bytes, so the output is fit for hashing and signing, and a signer written in
/// another language that implements RFC 8785 produces the same bytes. `docs/canonical-json.md` is the
/// specification and `Tests/ReactorCoreTests/Vectors/canonical-json.json` the golden vectors.
///
/// A number that is not finite cannot come from JSON text (the parser refuses it, the encoder throws); built directly
/// as `JSONValue.number(.nan)` it is written as `null`, as `JSON.stringify` does.
extension JSONValue {
    /// The canonical UTF-8 bytes of this value.
    public var canonicalData: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        writeCanonical(into: &out)
        return out
    }

    /// The canonical text of this value.
    public var canonicalString: String {
        String(decoding: canonicalData, as: UTF8.self)
    }

    /// Appends the canonical bytes of this value to `out`.
    public func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b):
            if b { out.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65]) }
        case .number(let n):
            Self.writeNumber(n, into: &out)
        case .string(let s):
            Self.writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            var first = true
            for e in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                e.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members.sorted(by: { Self.utf16Precedes($0.key, $1.key) }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `a` sorts before `b` when both are compared as arrays of UTF-16 code units (RFC 8785 §3.2.3).
    ///
    /// Works on the UTF-8 bytes: UTF-8 order is code point order, which is UTF-16 order except where a character
    /// outside the BMP (lead byte `F0`–`F4`, a surrogate pair `D800`–`DBFF` in UTF-16) meets one in `U+E000`–`U+FFFF`
    /// (lead byte `EE` or `EF`); only at that first differing byte is the answer turned around.
    public static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let count = min(pa.count, pb.count)
                var i = 0
                while i < count {
                    let x = pa[i], y = pb[i]
                    if x != y {
                        if x >= 0xF0, y == 0xEE || y == 0xEF { return true }
                        if y >= 0xF0, x == 0xEE || x == 0xEF { return false }
                        return x < y
                    }
                    i += 1
                }
                return pa.count < pb.count
            }
        }
    }

    /// Whether `text` is exactly the canonical spelling of `number`.
    static func isCanonicalSpelling(_ text: UnsafeBufferPointer<UInt8>, of number: Double) -> Bool {
        var out: [UInt8] = []
        writeNumber(number, into: &out)
        return out.elementsEqual(text)
    }

    /// Writes `n` as ECMAScript's `Number.prototype.toString` does (RFC 8785 §3.2.2.3).
    static func writeNumber(_ n: Double, into out: inout [UInt8]) {
        guard n.isFinite else {
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            return
        }
        // Integers below 2^53 print as their digits in both notations: the common case, without formatting a Double.
        if n.rounded(.towardZero) == n, abs(n) < 9_007_199_254_740_992 {
            let integer = Int64(n)
            if integer == 0 { out.append(UInt8(ascii: "0")); return }
            writeInteger(integer, into: &out)
            return
        }
        if n < 0 { out.append(UInt8(ascii: "-")) }
        let (digits, exponent) = shortestDigits(abs(n))
        writeECMAScript(digits: digits, n: exponent, into: &out)
    }

    private static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var buffer: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &buffer) { raw in
            repeat {
                raw[19 - count] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: raw[(20 - count)...])
        }
    }

    /// The shortest decimal digits `s` (no leading or trailing zeros) and the exponent `n` with
    /// `value = 0.s × 10^n`, for a finite positive double. Swift's `description` already prints the shortest digits
    /// that round-trip (and the closest of those); only its layout differs from ECMAScript's.
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], n: Int) {
        let text = Array(value.description.utf8)
        var mantissa = text[...]
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            mantissa = text[..<e]
            var sign = 1
            var j = e + 1
            if j < text.count, text[j] == UInt8(ascii: "+") || text[j] == UInt8(ascii: "-") {
                if text[j] == UInt8(ascii: "-") { sign = -1 }
                j += 1
            }
            while j < text.count {
                exponent = exponent * 10 + Int(text[j] &- UInt8(ascii: "0"))
                j += 1
            }
            exponent *= sign
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(mantissa.count)
        var pointPosition: Int? = nil
        for byte in mantissa {
            if byte == UInt8(ascii: ".") { pointPosition = digits.count } else { digits.append(byte) }
        }
        var n = (pointPosition ?? digits.count) + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            n -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, n)
    }

    /// ECMA-262 Number::toString for `0.digits × 10^n` (digits non-empty, positive value).
    private static func writeECMAScript(digits: [UInt8], n: Int, into out: inout [UInt8]) {
        let k = digits.count
        if k <= n, n <= 21 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n, n <= 21 {
            out.append(contentsOf: digits[..<n])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[n...])
        } else if -6 < n, n <= 0 {
            out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")])
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: digits)
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            let e = n - 1
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            out.append(contentsOf: Array(String(abs(e)).utf8))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Runs of bytes that need no escape are copied at once.
            var run = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                run = i + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex: StaticString = "0123456789abcdef"
                    let digits = hex.utf8Start
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
                }
            }
            if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
