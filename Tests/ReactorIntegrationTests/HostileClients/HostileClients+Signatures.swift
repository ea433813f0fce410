import Foundation
import ReactorCore
import Testing

/// Forged and unchecked signatures against `reactor serve`: an action carrying a signer and the signature
/// `Zm9yZ2Vk` ("forged") was once stored and served back from `/operations`.
@Suite("hostile clients: signatures", .tags(.hostileClients), .enabled(if: HostileClientsRun.enabled, HostileClientsRun.reason), .serialized, .timeLimit(.minutes(3)))
struct HostileClientsSignatureTests {
    /// The action as JSON with the given context.
    static func action(_ id: String, context: JSONValue? = nil) -> JSONValue {
        var action: [String: JSONValue] = ["id": .string(id), "type": "ADD_TODO", "input": ["id": .string(id), "text": "pay mallory"]]
        if let context { action["context"] = context }
        return .object(action)
    }

    @Test func theDefaultRefusesForgedSignatures() async throws {
        let server = try await ServerProcess()
        let base = server.base + "/reactor/v1/documents"
        #expect(try await http(.POST, base + "?wait=true", ["documentType": "reactor/todo-list", "id": "d"]).status == 201)
        let key = Ed25519Signer().info.publicKey
        let forged: JSONValue = ["signer": ["algorithm": "Ed25519", "publicKey": .string(key), "name": "ceo"],
                                 "signatures": [["algorithm": "Ed25519", "publicKey": .string(key), "signature": "Zm9yZ2Vk", "v": 2]]]
        let claimedOnly: JSONValue = ["signer": ["algorithm": "Ed25519", "publicKey": .string(key), "name": "ceo"]]
        var refused = 0
        for (id, context) in [("forged", forged), ("claimed", claimedOnly)] {
            let reply = try await http(.POST, base + "/d/actions", ["actions": [Self.action(id, context: context)]])
            #expect(reply.status == 403, "\(id): \(reply.json)")
            #expect(reply.json["error"]?["code"] == "INVALID_SIGNATURE")
            if reply.status == 403 { refused += 1 }
        }
        // A real signature by the same kind of key is accepted and served back with its signer.
        let signer = Ed25519Signer(name: "ann")
        let signed = try signer.sign(Action(id: "real", type: "ADD_TODO", input: ["id": "real", "text": "ok"]), documentID: "d")
        let ok = try await http(.POST, base + "/d/actions?wait=true", ["actions": [try JSONValueCoder.encode(signed)]])
        #expect(ok.status == 200, "\(ok.json)")
        let operations = try await http(.GET, base + "/d/operations")
        let text = operations.json.canonicalString
        #expect(!text.contains("Zm9yZ2Vk"))
        #expect(!text.contains("forged") && !text.contains("claimed"))
        #expect(text.contains(signer.info.publicKey))
        print("hostile-clients: signatures: \(refused) of 2 forged or unsigned claims refused with 403, nothing stored")
        #expect(try await server.terminate() == 0)
    }

    @Test func requiredModeRefusesUnsignedActions() async throws {
        let server = try await ServerProcess(environment: ["REACTOR_SIGNING__MODE": "required"])
        let base = server.base + "/reactor/v1/documents"
        let refused = try await http(.POST, base, ["documentType": "reactor/todo-list", "id": "d"])
        #expect(refused.status == 403)
        #expect(refused.json["error"]?["code"] == "SIGNATURE_REQUIRED")
        #expect(try await server.terminate() == 0)
    }
}
