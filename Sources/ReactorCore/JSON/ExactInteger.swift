/// Whether a decimal integer is exactly an IEEE-754 double: the rule that keeps the JSON parser and the encoders from
/// changing a number silently (see `docs/canonical-json.md`).
enum ExactInteger {
    /// The largest odd part a double holds: its significand has 53 bits.
    private static let significandLimit: UInt64 = 1 << 53

    /// Whether the integer written as `digits` (ASCII digits, no sign) is exactly a double, assuming it is in the
    /// double's range. An integer `N = odd × 2^k` is exactly a double when `odd < 2^53`.
    static func isExact(digits: UnsafeBufferPointer<UInt8>) -> Bool {
        // Trailing zeros: N = M × 10^z = M × 5^z × 2^z, so the odd part of N is the odd part of M × 5^z.
        var end = digits.count
        while end > 1, digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
        let zeros = digits.count - end
        if digits.count == 1, digits[0] == UInt8(ascii: "0") { return true }
        // 5^23 > 2^53: with 23 or more trailing zeros the odd part is too large.
        guard zeros < 23 else { return false }
        var fivePower: UInt64 = 1
        for _ in 0..<zeros { fivePower *= 5 }

        // The odd part of M, by halving its decimal digits while it is even.
        var m = Array(digits[..<end]).map { $0 &- UInt8(ascii: "0") }
        while let last = m.last, last % 2 == 0 {
            var remainder: UInt8 = 0
            var halved: [UInt8] = []
            halved.reserveCapacity(m.count)
            for digit in m {
                let current = remainder * 10 + digit
                let q = current / 2
                remainder = current % 2
                if !halved.isEmpty || q != 0 { halved.append(q) }
            }
            m = halved
        }
        // The odd part must be below 2^53 (16 digits at most).
        guard m.count <= 16 else { return false }
        var odd: UInt64 = 0
        for digit in m { odd = odd * 10 + UInt64(digit) }
        let (product, overflow) = odd.multipliedReportingOverflow(by: fivePower)
        return !overflow && product < significandLimit
    }
}
