import Foundation
import ReactorCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct HashingTests {
    @Test func operationIDsAreDeterministicAndDistinct() {
        let s = StreamID(documentID: "d", scope: "global")
        #expect(OperationID.make(stream: s, actionID: "a") == OperationID.make(stream: s, actionID: "a"))
        #expect(OperationID.make(stream: s, actionID: "a") != OperationID.make(stream: s, actionID: "b"))
        #expect(OperationID.make(stream: s, actionID: "a") != OperationID.make(stream: StreamID(documentID: "d", scope: "local"), actionID: "a"))
        // Field boundaries matter: ("ab","c") and ("a","bc") differ.
        #expect(OperationID.make(stream: StreamID(documentID: "ab", scope: "c"), actionID: "x")
                != OperationID.make(stream: StreamID(documentID: "a", scope: "bc"), actionID: "x"))
        #expect(OperationID.make(stream: s, actionID: "a").count == 24)
    }

    @Test func stateHashIgnoresKeyOrder() throws {
        let a = try JSONValueCoder.parse(#"{"b":[1,2.5,"x"],"a":{"y":null,"x":true}}"#)
        let b = try JSONValueCoder.parse(#"{"a":{"x":true,"y":null},"b":[1,2.5,"x"]}"#)
        #expect(StateHash.of(a) == StateHash.of(b))
        #expect(StateHash.of(a) != StateHash.of(.emptyObject))
        #expect(a.canonicalString == #"{"a":{"x":true,"y":null},"b":[1,2.5,"x"]}"#)
    }

    @Test func signaturesCoverEveryField() throws {
        let signer = Ed25519Signer()
        let action = try signer.sign(Action(id: "1", type: "T", input: ["k": "v"], timestamp: 5), documentID: "d", branch: "main")
        let verifier = CryptoSignatureVerifier(mode: .required)
        try verifier.verify(action, documentID: "d", branch: "main")
        for mutate in [{ (a: inout Action) in a.type = "U" }, { $0.scope = "local" }, { $0.timestamp = 6 }, { $0.id = "2" }, { $0.input = ["k": "w"] }] {
            var changed = action
            mutate(&changed)
            #expect(throws: ReactorError.self) { try verifier.verify(changed, documentID: "d", branch: "main") }
        }
        // The document and the branch are covered too: the same action elsewhere does not verify.
        #expect(throws: ReactorError.self) { try verifier.verify(action, documentID: "e", branch: "main") }
        #expect(throws: ReactorError.self) { try verifier.verify(action, documentID: "d", branch: "b2") }
        let restored = try Ed25519Signer(rawPrivateKey: (signer as Ed25519Signer).rawPrivateKey)
        #expect(restored.info.publicKey == signer.info.publicKey)
        #expect(throws: ReactorError.self) { try Ed25519Signer(rawPrivateKey: [1, 2, 3]) }
    }
}

@Suite(.timeLimit(.minutes(3))) struct HeaderJSONTests {
    @Test(arguments: [false, true])
    func directConversionEqualsCodable(_ full: Bool) throws {
        var header = DocumentHeader(id: "d1", documentType: "t/x", createdAt: 1_700_000_000_123, lastModifiedAt: 1_700_000_000_456)
        if full {
            header.slug = "s"
            header.name = "Nämé"
            header.revision = ["document": 3, "global": 12]
            header.meta = ["k": ["nested": [1, true, nil]]]
            header.signer = SignerInfo(algorithm: .p256, publicKey: "AAAA", name: "ann")
            header.deletedAt = 1_700_000_000_999
            header.modelVersion = 4
            header.branch = "dev"
        }
        #expect(header.jsonValue == (try JSONValueCoder.encode(header)))
        #expect(try DocumentHeader(json: header.jsonValue) == header)
        #expect(throws: ReactorError.self) { try DocumentHeader(json: ["id": 5]) }
    }
}
