import Crypto
import Foundation

/// Deterministic operation ids.
public enum OperationID {
    /// The id of the operation recording `actionID` in a stream: base64url (no padding) of the first 18 bytes of
    /// SHA-256 over the stream coordinates and the action id. A re-delivered action gets the same id.
    public static func make(stream: StreamID, actionID: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(stream.documentID.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(stream.scope.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(stream.branch.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(actionID.utf8))
        let digest = Array(hasher.finalize().prefix(18))
        return Base64URL.encode(digest)
    }
}

/// Hashes of scope states.
public enum StateHash {
    /// SHA-256 over the canonical JSON of `state`, base64 (standard alphabet).
    public static func of(_ state: JSONValue) -> String {
        let digest = SHA256.hash(data: state.canonicalData)
        return Data(digest).base64EncodedString()
    }
}

/// Base64url without padding (RFC 4648 §5).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(n >> 6 & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64url text (padding optional); nil when `text` is not base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") || text.hasSuffix("=") else { return nil }
        base64 = base64.replacingOccurrences(of: "=", with: "")
        guard base64.utf8.count % 4 != 1 else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return Array(data)
    }
}
