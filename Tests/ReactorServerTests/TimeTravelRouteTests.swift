import Foundation
import HTTPTypes
import HummingbirdTesting
import ReactorCore
import ReactorEngine
import ReactorServer
import Testing

/// Time travel over HTTP (issue 17): `GET /documents/{id}?revision=…` and `?at=…`, `GET /documents/{id}/diff`, and
/// their 400s naming the parameter.
@Suite("HTTP time travel", .timeLimit(.minutes(3)))
struct TimeTravelRouteTests {
    /// A to-do list `d` (slug `groceries`) with three items, one job each.
    static func groceries(_ client: any TestClientProtocol) async throws {
        _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d", "slug": "groceries"])
        for (i, text) in ["milk", "eggs", "bread"].enumerated() {
            let reply = try await client.call(.post, "/reactor/v1/documents/d/actions?wait=true",
                                              json: ["actions": [["id": .string("a\(i)"), "type": "ADD_TODO", "input": ["id": .string("\(i)"), "text": .string(text)]]]])
            #expect(reply.status == .ok, "\(reply.text)")
        }
    }

    @Test func documentsAtARevisionOrAMoment() async throws {
        try await withTestServer { client, reactor, _ in
            try await Self.groceries(client)
            let first = try #require(try await reactor.store.operations(in: StreamID(documentID: "d", scope: Scope.global), fromIndex: 0, limit: 1).first)
            let atOne = try await reactor.get("d", at: .revisions([Scope.global: 1]))
            #expect(atOne.state[Scope.global]?["items"]?.arrayValue?.count == 1)

            let byRevision = try await client.call(.get, "/reactor/v1/documents/groceries?revision=global:1")
            #expect(byRevision.status == .ok, "\(byRevision.text)")
            #expect(byRevision.json == Representations.document(atOne))
            #expect(byRevision.json["header"]?["revision"]?["global"] == 1)
            #expect(byRevision.json["hashes"]?["global"]?.stringValue == first.hash)

            let expected = try await reactor.get("d", at: .time(first.timestamp))
            for at in [String(first.timestamp), Clock.iso8601(first.timestamp)] {
                let reply = try await client.call(.get, "/reactor/v1/documents/d?at=\(at)")
                #expect(reply.status == .ok, "\(at): \(reply.text)")
                #expect(reply.json == Representations.document(expected), "\(at)")
            }
            // Nothing named: the document as it is.
            #expect(try await client.call(.get, "/reactor/v1/documents/d").json == Representations.document(try await reactor.get("d")))
        }
    }

    @Test func badPointsAre400sNamingTheParameter() async throws {
        try await withTestServer { client, _, _ in
            try await Self.groceries(client)
            for (query, path) in [
                ("revision=global:4", "revision"), ("revision=global:-1", "revision"), ("revision=nope:0", "revision"),
                ("revision=global", "revision"), ("revision=", "revision"), ("revision=global:1,global:2", "revision"),
                ("at=yesterday", "at"), ("at=", "at"), ("at=0", "at"), ("at=2000-01-01T00:00:00Z", "at"),
                ("at=1&revision=global:1", "at"),
            ] {
                let reply = try await client.call(.get, "/reactor/v1/documents/d?\(query)")
                #expect(reply.status == .badRequest, "\(query): \(reply.text)")
                #expect(reply.errorCode == "INVALID_ARGUMENT", "\(query)")
                #expect(reply.errorPath == path, "\(query)")
            }
            #expect(try await client.call(.get, "/reactor/v1/documents/nope?revision=global:0").status == .notFound)
        }
    }

    @Test func diffIsAJSONPatchBetweenTwoRevisions() async throws {
        try await withTestServer { client, reactor, _ in
            try await Self.groceries(client)
            let reply = try await client.call(.get, "/reactor/v1/documents/groceries/diff?scope=global&from=1&to=3")
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(Set(reply.json.objectValue?.keys.map { $0 } ?? []) == ["scope", "from", "to", "fromHash", "toHash", "patch"])
            let from = try await reactor.get("d", at: .revisions([Scope.global: 1])), to = try await reactor.get("d")
            #expect(reply.json["scope"] == "global" && reply.json["from"] == 1 && reply.json["to"] == 3)
            #expect(reply.json["fromHash"]?.stringValue == from.hashes[Scope.global])
            #expect(reply.json["toHash"]?.stringValue == to.hashes[Scope.global])
            let patch = try JSONValueCoder.decode([JSONPatchOperation].self, from: reply.json["patch"] ?? .null)
            #expect(!patch.isEmpty)
            #expect(try JSONPatch.apply(patch, to: from.state[Scope.global] ?? .null) == to.state[Scope.global])
            let same = try await client.call(.get, "/reactor/v1/documents/d/diff?scope=global&from=2&to=2")
            #expect(same.json["patch"] == [])

            for (query, path) in [
                ("from=0&to=1", "scope"), ("scope=&from=0&to=1", "scope"), ("scope=nope&from=0&to=1", "scope"),
                ("scope=global&to=1", "from"), ("scope=global&from=-1&to=1", "from"), ("scope=global&from=0", "to"),
                ("scope=global&from=0&to=4", "to"), ("scope=global&from=0&to=x", "to"),
            ] {
                let bad = try await client.call(.get, "/reactor/v1/documents/d/diff?\(query)")
                #expect(bad.status == .badRequest, "\(query): \(bad.text)")
                #expect(bad.errorCode == "INVALID_ARGUMENT", "\(query)")
                #expect(bad.errorPath == path, "\(query)")
            }
            #expect(try await client.call(.get, "/reactor/v1/documents/nope/diff?scope=global&from=0&to=0").status == .notFound)
        }
    }
}
