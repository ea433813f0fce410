/// Base64url (RFC 4648 §5): the one encoder and decoder of the package (operation ids, consistency tokens, token
/// segments, secrets, vault keys).
///
/// Encoding never pads. Decoding is strict: only the base64url alphabet, no length an encoding cannot produce, and
/// unused trailing bits zero (so every byte string has exactly one accepted spelling, padding aside). Padding is
/// accepted when complete and at the end, unless the caller forbids it (JWS segments). Never traps.
public enum Base64URL {
    /// Whether decoding accepts trailing `=` padding.
    public enum Padding: Sendable {
        /// Accepted when complete (`==` after 2 final symbols, `=` after 3) and nothing follows it.
        case optional
        /// Refused: the text must be unpadded (JWS compact serialization, RFC 7515 §2).
        case forbidden
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The value of each alphabet byte, -1 for every other byte.
    private static let values: [Int8] = {
        var values = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { values[Int(byte)] = Int8(index) }
        return values
    }()

    /// `bytes` as base64url text without padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[Int((accumulator >> UInt32(bits)) & 63)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((accumulator << UInt32(6 - bits)) & 63)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes that base64url `text` encodes, or nil when it is not base64url (see the type's rules).
    public static func decode(_ text: some StringProtocol, padding: Padding = .optional) -> [UInt8]? {
        decode(text.utf8, padding: padding)
    }

    /// The bytes that base64url `text` (its UTF-8 bytes) encodes, or nil when it is not base64url.
    public static func decode(_ text: some Collection<UInt8>, padding: Padding = .optional) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var symbols = 0
        var pads = 0
        for byte in text {
            if byte == UInt8(ascii: "=") {
                pads += 1
                continue
            }
            let value = values[Int(byte)]
            // A symbol outside the alphabet, or after padding.
            guard value >= 0, pads == 0 else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            symbols += 1
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // One symbol carries 6 bits, less than a byte: no encoding ends with a lone one.
        guard symbols % 4 != 1 else { return nil }
        if pads > 0 {
            guard padding == .optional, pads == (4 - symbols % 4) % 4 else { return nil }
        }
        // The bits left over must be zero (the canonical spelling).
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
