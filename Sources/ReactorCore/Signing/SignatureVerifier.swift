import Crypto
import Foundation

/// Checks the signatures on actions before they are reduced.
public protocol SignatureVerifier: Sendable {
    /// Throws `SIGNATURE_REQUIRED`, `INVALID_SIGNATURE` or `SIGNATURE_VERSION_UNSUPPORTED` when `action` must not be
    /// applied to `documentID` on `branch`.
    func verify(_ action: Action, documentID: String, branch: String) throws
}

/// What a reactor does with the signatures clients put in an action's `context` (`[signing] mode` in `Reactor.toml`).
public enum SigningMode: String, Sendable, Hashable, CaseIterable {
    /// Signatures are not accepted: an action that carries a signer or signatures is refused (`SIGNING_DISABLED`),
    /// because nothing would check them and a stored, unchecked signature would claim an authorship nobody proved.
    case off
    /// Unsigned actions are accepted; every signature present must verify (the default).
    case verifyWhenPresent = "verify-when-present"
    /// Every action must carry at least one signature, and every signature present must verify.
    case required
}

/// Verifies Ed25519 and P-256 signatures with swift-crypto.
///
/// An action's `context` is verified or refused, never accepted unchecked: under ``SigningMode/off`` any signer or
/// signature is refused; otherwise every signature must be of the current payload format, by a trusted key (when
/// ``trustedPublicKeys`` is set) and verify, and a `signer` must be the key of one of the signatures (a signer with no
/// signature is refused). Under ``SigningMode/required`` an action without a signature is refused.
public struct CryptoSignatureVerifier: SignatureVerifier {
    /// What is accepted.
    public var mode: SigningMode
    /// When non-nil, only these base64 public keys may sign.
    public var trustedPublicKeys: Set<String>?

    /// A verifier in `mode` (verify when present by default), trusting only `trustedPublicKeys` when given.
    public init(mode: SigningMode = .verifyWhenPresent, trustedPublicKeys: Set<String>? = nil) {
        self.mode = mode
        self.trustedPublicKeys = trustedPublicKeys
    }

    public func verify(_ action: Action, documentID: String, branch: String) throws {
        let signatures = action.context?.signatures ?? []
        let signer = action.context?.signer
        if mode == .off, signer != nil || !signatures.isEmpty {
            throw ReactorError(.signingDisabled, "action '\(action.id)' carries a signature, and this reactor does not accept signed actions ([signing] mode = \"off\")",
                               details: ["actionId": action.id, "documentId": documentID])
        }
        if signatures.isEmpty {
            if let signer {
                throw ReactorError(.invalidSignature, "action '\(action.id)' names a signer but carries no signature",
                                   details: ["actionId": action.id, "publicKey": signer.publicKey])
            }
            if mode == .required {
                throw ReactorError(.signatureRequired, "action '\(action.id)' (\(action.type)) is not signed and signatures are required",
                                   details: ["actionId": action.id, "documentId": documentID])
            }
            return
        }
        if let signer, !signatures.contains(where: { $0.publicKey == signer.publicKey && $0.algorithm == signer.algorithm }) {
            throw ReactorError(.invalidSignature, "the signer of action '\(action.id)' made none of its signatures",
                               details: ["actionId": action.id, "publicKey": signer.publicKey])
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
