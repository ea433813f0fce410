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
        of(canonical: state.canonicalData)
    }

    /// SHA-256 over `canonical`, the canonical JSON bytes of a state (e.g. ``NativeState/canonicalData()``), base64.
    public static func of(canonical: [UInt8]) -> String {
        Data(SHA256.hash(data: canonical)).base64EncodedString()
    }
}
