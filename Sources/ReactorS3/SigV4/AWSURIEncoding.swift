/// AWS's `UriEncode` (Signature Version 4): every byte of the UTF-8 text is kept when unreserved
/// (`A–Z a–z 0–9 - . _ ~`) and percent-encoded with upper-case hex otherwise; `/` is kept in paths.
public enum AWSURIEncoding {
    /// `text` encoded for a query name or value (`/` is encoded too).
    public static func query(_ text: String) -> String { encode(text, keepSlash: false) }

    /// `text` encoded for a URL path (`/` is kept).
    public static func path(_ text: String) -> String { encode(text, keepSlash: true) }

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func encode(_ text: String, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == 0x2F) {
                out.append(byte)
            } else {
                out.append(0x25)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }
}
