import Crypto
import Foundation

/// Checks the signatures on actions before they are reduced.
public protocol SignatureVerifier: Sendable {
    /// Throws `SIGNATURE_REQUIRED`, `INVALID_SIGNATURE` or `SIGNATURE_VERSION_UNSUPPORTED` when `action` must not be
    /// applied to `documentID` on `branch`.
    func verify(_ action: Action, documentID: String, branch: String) throws
}

/// Verifies Ed25519 and P-256 signatures with swift-crypto.
///
/// Every signature present must verify. When ``requireSignatures`` is true an action without any signature is
/// rejected; optionally only the listed public keys are trusted.
public struct CryptoSignatureVerifier: SignatureVerifier {
    public var requireSignatures: Bool
    /// When non-nil, only these base64 public keys may sign.
    public var trustedPublicKeys: Set<String>?

    public init(requireSignatures: Bool = false, trustedPublicKeys: Set<String>? = nil) {
        self.requireSignatures = requireSignatures
        self.trustedPublicKeys = trustedPublicKeys
    }

    public func verify(_ action: Action, documentID: String, branch: String) throws {
        let signatures = action.context?.signatures ?? []
        if signatures.isEmpty {
            if requireSignatures {
                throw ReactorError(.signatureRequired, "action '\(action.id)' (\(action.type)) is not signed and signatures are required",
                                   details: ["actionId": action.id, "documentId": documentID])
            }
            return
        }
        let payload = action.signingPayload(documentID: documentID, branch: branch)
        for signature in signatures {
            guard signature.version == ActionSignature.currentVersion else {
                throw ReactorError(.signatureVersionUnsupported,
                                   "the signature on action '\(action.id)' uses payload format \(signature.version.map(String.init) ?? "1"), which does not bind the document; sign again (format \(ActionSignature.currentVersion))",
                                   details: ["actionId": action.id, "publicKey": signature.publicKey])
            }
            if let trustedPublicKeys, !trustedPublicKeys.contains(signature.publicKey) {
                throw ReactorError(.invalidSignature, "action '\(action.id)' is signed by an untrusted key",
                                   details: ["actionId": action.id, "publicKey": signature.publicKey])
            }
            guard Self.isValid(signature, payload: payload) else {
                throw ReactorError(.invalidSignature, "the signature on action '\(action.id)' does not verify",
                                   details: ["actionId": action.id, "publicKey": signature.publicKey])
            }
        }
    }

    /// Whether one signature verifies over `payload`.
    public static func isValid(_ signature: ActionSignature, payload: [UInt8]) -> Bool {
        guard let keyBytes = Data(base64Encoded: signature.publicKey),
              let signatureBytes = Data(base64Encoded: signature.signature) else { return false }
        switch signature.algorithm {
        case .ed25519:
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else { return false }
            return key.isValidSignature(signatureBytes, for: payload)
        case .p256:
            guard let key = try? P256.Signing.PublicKey(rawRepresentation: keyBytes),
                  let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes) else { return false }
            return key.isValidSignature(ecdsa, for: payload)
        }
    }
}
