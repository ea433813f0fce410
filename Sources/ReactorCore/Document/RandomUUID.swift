/// Random (version 4) UUIDs as lower-case text, the default action and document ids.
///
/// Foundation's `UUID()` reads `/dev/urandom` (open, read, close) on Linux for every id, a few microseconds each and
/// a noticeable share of a small job; this draws the same 122 random bits from the system generator (`getrandom`).
public enum RandomUUID {
    /// A new random UUID, e.g. `0b7c5f3e-9a4d-4c1b-8f2e-6d5a4b3c2d1e`.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return format(high: generator.next(), low: generator.next())
    }

    /// The UUID text of 128 bits with the version (4) and variant (RFC 4122) bits set.
    static func format(high: UInt64, low: UInt64) -> String {
        let high = (high & ~0xF000) | 0x4000  // version 4 in bits 12–15 of the third group
        let low = (low & ~(0xC000_0000_0000_0000 as UInt64)) | 0x8000_0000_0000_0000  // variant 10xx
        let hex: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            let digits = hex.utf8Start
            var i = 0
            func put(_ value: UInt64, nibbles: Int) {
                var shift = (nibbles - 1) * 4
                for _ in 0..<nibbles {
                    out[i] = digits[Int((value >> UInt64(shift)) & 0xF)]
                    i += 1
                    shift -= 4
                }
            }
            put(high >> 32, nibbles: 8)
            out[i] = UInt8(ascii: "-"); i += 1
            put(high >> 16, nibbles: 4)
            out[i] = UInt8(ascii: "-"); i += 1
            put(high, nibbles: 4)
            out[i] = UInt8(ascii: "-"); i += 1
            put(low >> 48, nibbles: 4)
            out[i] = UInt8(ascii: "-"); i += 1
            put(low, nibbles: 12)
            return i
        }
    }
}
