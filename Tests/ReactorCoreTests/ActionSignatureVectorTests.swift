import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// The committed signature vector (docs/signing.md): Reactor reproduces its payload and its Ed25519 signature byte for
/// byte, verifies its P-256 signature, and (with an oracle Python) its own fresh signatures verify with `cryptography`.
@Suite(.timeLimit(.minutes(2)))
struct ActionSignatureVectorTests {
    struct Vector: Decodable {
        struct Key: Decodable { var privateKeyHex: String; var publicKey: String; var signature: String }
        struct VectorAction: Decodable { var id: String; var type: String; var scope: String; var input: JSONValue; var timestamp: Int64 }
        var documentId: String
        var branch: String
        var action: VectorAction
        var payload: String
        var ed25519: Key
        var p256: Key

        var reactorAction: Action {
            Action(id: action.id, type: action.type, scope: action.scope, input: action.input, timestamp: action.timestamp)
        }
    }

    static let vectorURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors/action-signature.json")

    static func vector() throws -> Vector {
        try JSONDecoder().decode(Vector.self, from: Data(contentsOf: vectorURL))
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    @Test func payloadIsTheCanonicalJSONOfTheVector() throws {
        let vector = try Self.vector()
        let payload = vector.reactorAction.signingPayload(documentID: vector.documentId, branch: vector.branch)
        #expect(String(decoding: payload, as: UTF8.self) == vector.payload)
    }

    @Test func ed25519SignatureIsReproducedByteForByte() throws {
        let vector = try Self.vector()
        let signer = try Ed25519Signer(rawPrivateKey: Self.bytes(hex: vector.ed25519.privateKeyHex))
        #expect(signer.info.publicKey == vector.ed25519.publicKey)
        let signed = try signer.sign(vector.reactorAction, documentID: vector.documentId, branch: vector.branch)
        let signature = try #require(signed.context?.signatures.first)
        #expect(signature.signature == vector.ed25519.signature)
        #expect(signature.version == ActionSignature.currentVersion)
    }

    @Test func p256SignatureVerifiesAndBindsTheDocument() throws {
        let vector = try Self.vector()
        let signer = try P256Signer(rawPrivateKey: Self.bytes(hex: vector.p256.privateKeyHex))
        #expect(signer.info.publicKey == vector.p256.publicKey)
        var action = vector.reactorAction
        action.context = ActionContext(signer: signer.info, signatures: [
            ActionSignature(algorithm: .p256, publicKey: vector.p256.publicKey, signature: vector.p256.signature),
        ])
        let verifier = CryptoSignatureVerifier(mode: .required)
        try verifier.verify(action, documentID: vector.documentId, branch: vector.branch)
        let replay = try #require(throws: ReactorError.self) { try verifier.verify(action, documentID: "another", branch: vector.branch) }
        #expect(replay.code == .invalidSignature)
    }

    @Test func theSignatureVersionTravelsAsV() throws {
        let signature = ActionSignature(algorithm: .ed25519, publicKey: "k", signature: "s")
        #expect(try JSONValueCoder.encode(signature) == ["algorithm": "Ed25519", "publicKey": "k", "signature": "s", "v": 2])
        let legacy = try JSONValueCoder.decode(ActionSignature.self, from: ["algorithm": "Ed25519", "publicKey": "k", "signature": "s"])
        #expect(legacy.version == nil)
    }

    /// Python's `cryptography` and `rfc8785` reproduce the committed vector, and verify signatures this build makes
    /// (both algorithms) — and refuse them on another document.
    @Test(.enabled(if: OracleProcess.python != nil))
    func independentImplementationAgrees() async throws {
        let python = try #require(OracleProcess.python)
        let script = OracleProcess.script("action_signature.py")
        let committed = try await OracleProcess.run(python, [script, Self.vectorURL.path])
        #expect(committed.status == 0, "\(committed.output)")

        var entries: [JSONValue] = []
        let input: JSONValue = ["text": "ünïcödé \u{1F600}", "n": 0.000001, "big": 1e21, "list": [3, 2, 1]]
        for (documentID, branch) in [("doc-a", "main"), ("doc-b", "feature/x")] {
            let action = Action(id: UUID().uuidString, type: "ADD", scope: "global", input: input, timestamp: 1_767_225_600_123)
            var signed = try Ed25519Signer().sign(action, documentID: documentID, branch: branch)
            signed = try P256Signer().sign(signed, documentID: documentID, branch: branch)
            entries.append([
                "documentId": .string(documentID), "branch": .string(branch),
                "action": ["id": .string(action.id), "type": "ADD", "scope": "global", "input": input, "timestamp": .number(Double(action.timestamp))],
                "signatures": try JSONValueCoder.encode(signed.context!.signatures),
            ])
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("signed-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(JSONValue.array(entries).canonicalData).write(to: file)
        let fresh = try await OracleProcess.run(python, [script, "--verify", file.path])
        #expect(fresh.status == 0, "\(fresh.output)")
        #expect(fresh.output.contains("0 failed"))
    }
}
