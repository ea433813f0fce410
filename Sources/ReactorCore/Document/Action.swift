import Foundation

/// A request to change a document: reduced by the document's model into one operation.
public struct Action: Sendable, Hashable, Codable {
    /// Unique id chosen by the submitter. Re-delivering an action with the same id is recognised and ignored.
    public var id: String
    /// The action type, e.g. `ADD_TODO`.
    public var type: String
    /// The scope whose state the action changes.
    public var scope: String
    /// The action's input.
    public var input: JSONValue
    /// When the submitter created the action (milliseconds since 1970).
    public var timestamp: Int64
    /// Signer and signatures, when signed.
    public var context: ActionContext?

    public init(
        id: String = RandomUUID.make(),
        type: String,
        scope: String = Scope.global,
        input: JSONValue = .emptyObject,
        timestamp: Int64 = Clock.nowMilliseconds(),
        context: ActionContext? = nil
    ) {
        self.id = id
        self.type = type
        self.scope = scope
        self.input = input
        self.timestamp = timestamp
        self.context = context
    }

    /// The bytes a signature of ``ActionSignature/currentVersion`` covers: the RFC 8785 canonical JSON of
    ///
    ///     {"branch", "documentId", "id", "input", "scope", "timestamp", "type", "v": 2}
    ///
    /// so a signature binds the action to the document, scope and branch it applies to: replayed on another
    /// document or branch it no longer verifies. `docs/signing.md` specifies the format, with a test vector.
    public func signingPayload(documentID: String, branch: String) -> [UInt8] {
        JSONValue.object([
            "v": .number(Double(ActionSignature.currentVersion)),
            "documentId": .string(documentID), "branch": .string(branch),
            "id": .string(id), "type": .string(type), "scope": .string(scope), "input": input,
            "timestamp": .number(Double(timestamp)),
        ]).canonicalData
    }
}

/// Who signed an action, and the signatures.
public struct ActionContext: Sendable, Hashable, Codable {
    public var signer: SignerInfo?
    public var signatures: [ActionSignature]

    public init(signer: SignerInfo? = nil, signatures: [ActionSignature] = []) {
        self.signer = signer
        self.signatures = signatures
    }

    /// Decodes a context; a missing `signatures` is none (so a context that only names a signer reaches the verifier,
    /// which refuses it, instead of failing to decode).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        signer = try container.decodeIfPresent(SignerInfo.self, forKey: .signer)
        signatures = try container.decodeIfPresent([ActionSignature].self, forKey: .signatures) ?? []
    }

    private enum CodingKeys: String, CodingKey {
        case signer, signatures
    }
}

/// The identity of a signer: its algorithm and public key.
public struct SignerInfo: Sendable, Hashable, Codable {
    public var algorithm: SignatureAlgorithm
    /// The raw public key, base64.
    public var publicKey: String
    /// An optional application-level user or app name.
    public var name: String?

    public init(algorithm: SignatureAlgorithm, publicKey: String, name: String? = nil) {
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.name = name
    }
}

/// One signature over an action's ``Action/signingPayload(documentID:branch:)``.
public struct ActionSignature: Sendable, Hashable, Codable {
    /// The payload format signatures are made with now. Version 1 (no `v` in the JSON) covered only the action, so
    /// it could be replayed on another document; it is refused with `SIGNATURE_VERSION_UNSUPPORTED`.
    public static let currentVersion = 2

    public var algorithm: SignatureAlgorithm
    /// The raw public key, base64.
    public var publicKey: String
    /// The signature bytes, base64.
    public var signature: String
    /// The signed payload's format (`v` in JSON); absent on signatures of the first, unbound format.
    public var version: Int?

    public init(algorithm: SignatureAlgorithm, publicKey: String, signature: String, version: Int? = ActionSignature.currentVersion) {
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.signature = signature
        self.version = version
    }

    private enum CodingKeys: String, CodingKey {
        case algorithm, publicKey, signature, version = "v"
    }
}

/// Supported signature algorithms.
public enum SignatureAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    case ed25519 = "Ed25519"
    case p256 = "P-256"
}
