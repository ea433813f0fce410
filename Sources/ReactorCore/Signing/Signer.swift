import Crypto
import Foundation

/// Signs actions on behalf of a user or an app.
public protocol Signer: Sendable {
    /// The signer's identity (algorithm and public key).
    var info: SignerInfo { get }
    /// Signs `payload` (an action's ``Action/signingPayload(documentID:branch:)``).
    func sign(_ payload: [UInt8]) throws -> ActionSignature
}

extension Signer {
    /// Returns `action` with this signer's signature added to its context: a signature over the action as applied to
    /// `documentID` on `branch`, valid nowhere else.
    public func sign(_ action: Action, documentID: String, branch: String = Branch.main) throws -> Action {
        var signed = action
        var context = action.context ?? ActionContext()
        if context.signer == nil { context.signer = info }
        context.signatures.append(try sign(action.signingPayload(documentID: documentID, branch: branch)))
        signed.context = context
        return signed
    }
}

/// An Ed25519 signer (swift-crypto).
public struct Ed25519Signer: Signer {
    private let key: Curve25519.Signing.PrivateKey
    public let info: SignerInfo

    /// A signer with a new random key.
    public init(name: String? = nil) {
        self.init(key: Curve25519.Signing.PrivateKey(), name: name)
    }

    /// A signer from a 32-byte raw private key.
    public init(rawPrivateKey: [UInt8], name: String? = nil) throws {
        do {
            self.init(key: try Curve25519.Signing.PrivateKey(rawRepresentation: rawPrivateKey), name: name)
        } catch {
            throw ReactorError(.invalidArgument, "not an Ed25519 private key: \(error)")
        }
    }

    private init(key: Curve25519.Signing.PrivateKey, name: String?) {
        self.key = key
        self.info = SignerInfo(algorithm: .ed25519, publicKey: key.publicKey.rawRepresentation.base64EncodedString(), name: name)
    }

    /// The raw private key, for storing it.
    public var rawPrivateKey: [UInt8] { Array(key.rawRepresentation) }

    public func sign(_ payload: [UInt8]) throws -> ActionSignature {
        let signature = try key.signature(for: payload)
        return ActionSignature(algorithm: .ed25519, publicKey: info.publicKey, signature: signature.base64EncodedString())
    }
}

/// A P-256 (ECDSA, SHA-256) signer (swift-crypto).
public struct P256Signer: Signer {
    private let key: P256.Signing.PrivateKey
    public let info: SignerInfo

    /// A signer with a new random key.
    public init(name: String? = nil) {
        self.init(key: P256.Signing.PrivateKey(), name: name)
    }

    /// A signer from a 32-byte raw private key.
    public init(rawPrivateKey: [UInt8], name: String? = nil) throws {
        do {
            self.init(key: try P256.Signing.PrivateKey(rawRepresentation: rawPrivateKey), name: name)
        } catch {
            throw ReactorError(.invalidArgument, "not a P-256 private key: \(error)")
        }
    }

    private init(key: P256.Signing.PrivateKey, name: String?) {
        self.key = key
        self.info = SignerInfo(algorithm: .p256, publicKey: key.publicKey.rawRepresentation.base64EncodedString(), name: name)
    }

    public var rawPrivateKey: [UInt8] { Array(key.rawRepresentation) }

    public func sign(_ payload: [UInt8]) throws -> ActionSignature {
        let signature = try key.signature(for: payload)
        return ActionSignature(algorithm: .p256, publicKey: info.publicKey, signature: signature.rawRepresentation.base64EncodedString())
    }
}
