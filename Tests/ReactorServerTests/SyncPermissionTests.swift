import Foundation
import ReactorCore
import ReactorEngine
@testable import ReactorServer
import ReactorTesting
import Testing

/// Sync channels under document permissions (issue 14): a peer acts as its token's principal, so the pages it pulls
/// leave out documents it cannot read and the operations it pushes need write access to every existing document.
@Suite("Sync channels respect document permissions", .timeLimit(.minutes(3)))
struct SyncPermissionTests {
    @Test func aPeerPullsAndPushesOnlyWhatItsPrincipalMay() async throws {
        let auth = MockAuthClient()
        auth.register(token: "alice-token", for: AuthUser(id: "alice"))
        auth.register(token: "bob-token", for: AuthUser(id: "bob"))
        try await withSyncServer(auth: auth) { server in
            for (id, token) in [("alices", "alice-token"), ("bobs", "bob-token")] {
                let created = try await server.call(.POST, "/reactor/v1/documents?wait=true",
                                                    json: ["documentType": "reactor/todo-list", "id": .string(id)], token: token)
                #expect(created.status == 201, "\(created.text)")
            }
            let registration: JSONValue = ["channelId": "ch-bob", "peerId": "peer-bob", "name": "bobs-laptop", "filter": .object([:])]
            let registered = try await server.call(.PUT, "/reactor/v1/sync/channels/ch-bob", json: registration, token: "bob-token")
            #expect(registered.status == 200, "\(registered.text)")

            // Pulled: bob's document only, though alice's operations are in the feed (the cursor passes them).
            let page = try await server.call(.GET, "/reactor/v1/sync/channels/ch-bob/operations?limit=100", token: "bob-token")
            #expect(page.status == 200, "\(page.text)")
            let documents = Set(page.json["operations"]?.arrayValue?.compactMap { $0["documentId"]?.stringValue } ?? [])
            #expect(documents == ["bobs"])

            // Pushed: onto alice's document, refused as if it did not exist, and nothing stored; onto a new one, taken.
            let ordinals = try await server.reactor.store.operations(afterOrdinal: 0, limit: 100).count
            let intoAlices = try JSONValueCoder.encode(SyncEnvelope(senderID: "peer-bob", cursor: 1, operations: [
                syncOperation(document: "alices", index: 0, actionID: "x1"),
            ]))
            let refused = try await server.call(.POST, "/reactor/v1/sync/channels/ch-bob/envelopes", json: intoAlices, token: "bob-token")
            #expect(refused.status == 404, "\(refused.text)")
            #expect(refused.json["error"]?["code"] == "DOCUMENT_NOT_FOUND")
            #expect(try await server.reactor.store.operations(afterOrdinal: 0, limit: 100).count == ordinals)
            #expect(try await server.call(.GET, "/reactor/v1/documents/alices/sync", token: "bob-token").status == 404)

            // Alice shares her document for writing: bob's peer may now push to it.
            let share = try await server.call(.POST, "/reactor/v1/documents/alices/actions?wait=true", json: ["actions": [[
                "id": "s1", "type": "SET_PERMISSION", "scope": "document", "input": ["principal": "user:bob", "capability": "write"],
            ]]], token: "alice-token")
            #expect(share.status == 200, "\(share.text)")
            let after = try await server.call(.GET, "/reactor/v1/sync/channels/ch-bob/operations?limit=100", token: "bob-token")
            #expect(after.json["operations"]?.arrayValue?.contains { $0["documentId"]?.stringValue == "alices" } == true)
            #expect(try await server.call(.GET, "/reactor/v1/documents/alices/sync", token: "bob-token").status == 200)
        }
    }
}
