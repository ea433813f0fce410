import Foundation
import HTTPTypes
import HummingbirdTesting
import ReactorCore
import ReactorEngine
import ReactorServer
import Testing

@Suite("HTTP document API", .timeLimit(.minutes(3)))
struct DocumentRouteTests {
    /// Ids, slugs, branches and action ids follow the one rule of `Identifiers` (the CLI refuses the same values with
    /// the same messages: `CommandLineTests.identifiersAreRefusedLikeOverHTTP`).
    @Test func identifiersFollowOneRule() async throws {
        try await withTestServer { client, _, _ in
            let cases: [(field: String, value: String, rule: Identifiers.Rule)] = [
                ("id", "a/b", Identifiers.documentID), ("id", "a b", Identifiers.documentID),
                ("id", "x\u{202E}y", Identifiers.documentID), ("id", "..", Identifiers.documentID),
                ("slug", "no spaces!", Identifiers.slug), ("slug", "zero\u{200B}width", Identifiers.slug),
                ("branch", "/b", Identifiers.branch), ("branch", "a//b", Identifiers.branch),
            ]
            for c in cases {
                let expected = try #require(throws: ReactorError.self) { try c.rule.check(c.value, path: c.field) }
                let body = JSONValue.object(["documentType": "reactor/todo-list", c.field: .string(c.value)])
                let reply = try await client.call(.post, "/reactor/v1/documents", json: body)
                #expect(reply.status == .badRequest, "\(c.value)")
                #expect(reply.errorCode == "INVALID_INPUT")
                #expect(reply.errorPath == c.field)
                #expect(reply.json["error"]?["message"]?.stringValue == expected.message)
            }
            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d"])
            let bidi = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": [["id": "a\u{202E}1", "type": "ADD_TODO"]]])
            #expect(bidi.errorCode == "INVALID_INPUT")
            #expect(bidi.errorPath == "actions[0].id")
            let hiddenType = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": [["id": "a2", "type": "ADD\u{200B}TODO"]]])
            #expect(hiddenType.errorCode == "INVALID_INPUT")
            #expect(hiddenType.errorPath == "actions[0].type")
            let bidiName = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "name": "invoice\u{202E}fdp.exe"])
            #expect(bidiName.errorCode == "INVALID_INPUT")
            #expect(bidiName.errorPath == "input.name")
            let joined = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "name": "family 👨\u{200D}👩\u{200D}👧"])
            #expect(joined.status == .created, "a zero-width joiner inside an emoji sequence is fine in a name")
            let badBranch = try await client.call(.get, "/reactor/v1/documents/d?branch=a//b")
            #expect(badBranch.errorCode == "INVALID_INPUT")
            #expect(try await client.call(.get, "/reactor/v1/documents?type=reactor/todo-list").json["items"]?.arrayValue?.count == 2, "d and the emoji-named list")
        }
    }

    /// The reproduction from the hostile-clients issue: an action carrying a signer and the signature `Zm9yZ2Vk`
    /// ("forged") was stored and served back from `/operations`. It is refused (403) and nothing is stored.
    @Test func forgedSignaturesAreRefused() async throws {
        try await withTestServer { client, _, _ in
            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d"])
            let key = Ed25519Signer().info.publicKey
            let forged: JSONValue = ["actions": [[
                "id": "f1", "type": "ADD_TODO", "input": ["id": "t1", "text": "pay mallory"],
                "context": ["signer": ["algorithm": "Ed25519", "publicKey": .string(key), "name": "ceo"],
                            "signatures": [["algorithm": "Ed25519", "publicKey": .string(key), "signature": "Zm9yZ2Vk", "v": 2]]],
            ]]]
            let reply = try await client.call(.post, "/reactor/v1/documents/d/actions", json: forged)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCode == "INVALID_SIGNATURE")
            let ops = try await client.call(.get, "/reactor/v1/documents/d/operations")
            #expect(ops.json["items"]?.arrayValue?.contains { $0["action"]?["id"] == "f1" || $0["operation"]?["action"]?["id"] == "f1" } == false)
            #expect(!ops.text.contains("Zm9yZ2Vk"))
        }
    }

    /// `Prefer: return=minimal` (RFC 7240) with `?wait=true`: the job without the document, so the answer does not grow
    /// with the document's state; without it, the document is there as before.
    @Test func waitWithReturnMinimalLeavesTheDocumentOut() async throws {
        try await withTestServer { client, _, _ in
            let minimal: HTTPFields = [HTTPField.Name("Prefer")!: "respond-async, return=minimal"]
            let created = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "m"],
                                                headers: minimal)
            #expect(created.status == .created)
            #expect(created.json["document"] == nil)
            #expect(created.json["job"]?["status"] == "READ_READY")
            #expect(created.headers[HTTPField.Name("Preference-Applied")!] == "return=minimal")
            let small = try await client.call(.post, "/reactor/v1/documents/m/actions?wait=true", json: ["actions": [todoAction("1", text: "milk")]],
                                              headers: minimal)
            #expect(small.status == .ok)
            #expect(small.json["document"] == nil)
            #expect(small.json["job"]?["consistencyToken"] != nil)
            let full = try await client.call(.post, "/reactor/v1/documents/m/actions?wait=true", json: ["actions": [todoAction("2", text: "eggs")]])
            #expect(full.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.count == 2)
            #expect(full.headers[HTTPField.Name("Preference-Applied")!] == nil)
        }
    }

    /// The reproduction from the issue: create, add on main, add on `b2`, re-send the first request, `SET_NAME` on
    /// main. Every answer is a success, and each branch keeps its own items.
    @Test func branchesOverHTTP() async throws {
        try await withTestServer { client, _, _ in
            #expect(try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "list"]).status == .created)
            let first: JSONValue = ["actions": [todoAction("1", text: "milk")]]
            #expect(try await client.call(.post, "/reactor/v1/documents/list/actions?wait=true", json: first).status == .ok)
            let onB2 = try await client.call(.post, "/reactor/v1/documents/list/actions?wait=true&branch=b2", json: ["actions": [todoAction("2", text: "eggs")]])
            #expect(onB2.status == .ok)
            #expect(onB2.json["document"]?["header"]?["branch"] == "b2")
            #expect(try await client.call(.post, "/reactor/v1/documents/list/actions?wait=true", json: first).status == .ok)
            let renamed = try await client.call(.post, "/reactor/v1/documents/list/actions?wait=true",
                                                json: ["actions": [["id": "n1", "type": "SET_NAME", "scope": "document", "input": ["name": "Food"]]]])
            #expect(renamed.status == .ok, "\(renamed.text)")
            let main = try await client.call(.get, "/reactor/v1/documents/list")
            let b2 = try await client.call(.get, "/reactor/v1/documents/list?branch=b2")
            #expect(main.json["state"]?["global"]?["items"]?.arrayValue?.map { $0["id"] } == ["1"])
            #expect(b2.json["state"]?["global"]?["items"]?.arrayValue?.map { $0["id"] } == ["2"])
            #expect(main.json["header"]?["name"] == "Food")
            #expect(b2.json["header"]?["name"] == "Food")
            let onB2System = try await client.call(.post, "/reactor/v1/documents/list/actions?wait=true&branch=b2",
                                                   json: ["actions": [["id": "n2", "type": "SET_NAME", "scope": "document", "input": ["name": "x"]]]])
            #expect(onB2System.status == .badRequest)
            #expect(onB2System.errorPath == "branch")
        }
    }

    @Test func createGetExecuteWithWait() async throws {
        try await withTestServer { client, _, _ in
            let created = try await client.call(.post, "/reactor/v1/documents?wait=true",
                                                json: ["documentType": "reactor/todo-list", "id": "list-1", "slug": "groceries", "name": "Groceries"])
            #expect(created.status == .created)
            #expect(created.json["document"]?["header"]?["slug"]?.stringValue == "groceries")
            #expect(created.json["job"]?["status"]?.stringValue == "READ_READY")

            let bySlug = try await client.call(.get, "/reactor/v1/documents/groceries")
            #expect(bySlug.status == .ok)
            #expect(bySlug.json["header"]?["id"]?.stringValue == "list-1")

            let executed = try await client.call(.post, "/reactor/v1/documents/groceries/actions?wait=true",
                                                 json: ["actions": [todoAction("t1", text: "milk"), todoAction("t2", text: "eggs")]])
            #expect(executed.status == .ok)
            let items = executed.json["document"]?["state"]?["global"]?["items"]?.arrayValue
            #expect(items?.count == 2)
            #expect(items?.first?["text"]?.stringValue == "milk")
        }
    }

    @Test func acceptedJobThenPollAndReadWithToken() async throws {
        try await withTestServer { client, _, _ in
            let created = try await client.call(.post, "/reactor/v1/documents", json: ["documentType": "reactor/todo-list", "id": "d"])
            #expect(created.status == .accepted)
            let jobID = try #require(created.json["job"]?["id"]?.stringValue)
            #expect(created.headers[.location] == "/reactor/v1/jobs/\(jobID)")

            let job = try await client.call(.get, "/reactor/v1/jobs/\(jobID)?wait=true&timeout=10")
            #expect(job.json["job"]?["status"]?.stringValue == "READ_READY")

            let exec = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": [todoAction("x", text: "write")]])
            #expect(exec.status == .accepted)
            let execJob = try #require(exec.json["job"]?["id"]?.stringValue)
            let done = try await client.call(.get, "/reactor/v1/jobs/\(execJob)?wait=true")
            let token = try #require(done.json["job"]?["token"]?.stringValue)
            let read = try await client.call(.get, "/reactor/v1/documents/d?consistencyToken=\(token)")
            #expect(read.json["state"]?["global"]?["items"]?.arrayValue?.count == 1)
        }
    }

    @Test func findOperationsAndPaging() async throws {
        try await withTestServer { client, _, _ in
            for i in 0..<5 {
                let r = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": .string("doc-\(i)")])
                #expect(r.status == .created)
            }
            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/drive", "id": "drive"])
            let first = try await client.call(.get, "/reactor/v1/documents?type=reactor/todo-list&limit=2")
            #expect(first.json["items"]?.arrayValue?.count == 2)
            let cursor = try #require(first.json["nextCursor"]?.stringValue)
            let rest = try await client.call(.get, "/reactor/v1/documents?type=reactor/todo-list&limit=10&cursor=\(cursor)")
            #expect(rest.json["items"]?.arrayValue?.count == 3)
            #expect(rest.json["nextCursor"] == .null)
            let byIDs = try await client.call(.get, "/reactor/v1/documents?ids=doc-1,doc-3")
            #expect(byIDs.json["items"]?.arrayValue?.compactMap { $0["header"]?["id"]?.stringValue }.sorted() == ["doc-1", "doc-3"])

            _ = try await client.call(.post, "/reactor/v1/documents/doc-0/actions?wait=true",
                                      json: ["actions": [todoAction("a", text: "a"), todoAction("b", text: "b"), ["id": "t", "type": "SET_TITLE", "input": ["title": "T"]]]])
            let ops = try await client.call(.get, "/reactor/v1/documents/doc-0/operations?scope=global")
            #expect(ops.json["items"]?.arrayValue?.count == 3)
            let filtered = try await client.call(.get, "/reactor/v1/documents/doc-0/operations?actionType=SET_TITLE")
            #expect(filtered.json["items"]?.arrayValue?.count == 1)
            let paged = try await client.call(.get, "/reactor/v1/documents/doc-0/operations?scope=global&limit=2")
            #expect(paged.json["items"]?.arrayValue?.count == 2)
            #expect(paged.json["nextCursor"]?.stringValue != nil)
        }
    }

    @Test func childrenParentsRelationshipsAndDelete() async throws {
        try await withTestServer { client, _, _ in
            for id in ["p", "c1", "c2"] {
                _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": .string(id)])
            }
            let added = try await client.call(.post, "/reactor/v1/documents/p/children?wait=true", json: ["ids": ["c1", "c2"]])
            #expect(added.status == .ok)
            let children = try await client.call(.get, "/reactor/v1/documents/p/children")
            #expect(children.json["items"]?.arrayValue?.count == 2)
            let parents = try await client.call(.get, "/reactor/v1/documents/c1/parents")
            #expect(parents.json["items"]?.arrayValue?.first?["header"]?["id"]?.stringValue == "p")
            let rels = try await client.call(.get, "/reactor/v1/documents/c2/relationships")
            #expect(rels.json["incoming"]?.arrayValue?.count == 1)
            let removed = try await client.call(.delete, "/reactor/v1/documents/p/children/c1?wait=true")
            #expect(removed.status == .ok)
            let after = try await client.call(.get, "/reactor/v1/documents/p/children")
            #expect(after.json["items"]?.arrayValue?.count == 1)
            let found = try await client.call(.get, "/reactor/v1/documents?parentId=p")
            #expect(found.json["items"]?.arrayValue?.count == 1)

            let deleted = try await client.call(.delete, "/reactor/v1/documents/c2?wait=true")
            #expect(deleted.status == .ok)
            let gone = try await client.call(.get, "/reactor/v1/documents/c2")
            #expect(gone.status == .gone)
            #expect(gone.errorCode == "DOCUMENT_DELETED")
            let write = try await client.call(.post, "/reactor/v1/documents/c2/actions", json: ["actions": [todoAction("z", text: "z")]])
            #expect(write.status == .gone)
        }
    }

    @Test func batchWithDependencies() async throws {
        try await withTestServer { client, _, _ in
            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "a"])
            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "b"])
            let batch = try await client.call(.post, "/reactor/v1/batches?wait=true", json: ["jobs": [
                ["key": "first", "documentId": "a", "actions": [todoAction("1", text: "one")]],
                ["key": "second", "documentId": "b", "actions": [todoAction("2", text: "two")], "dependsOn": ["first"]],
                ["key": "bad", "documentId": "a", "actions": [["id": "u", "type": "NO_SUCH_ACTION"]], "dependsOn": ["second"]],
                ["key": "after-bad", "documentId": "b", "actions": [todoAction("3", text: "three")], "dependsOn": ["bad"]],
            ]])
            #expect(batch.status == .ok)
            #expect(batch.json["jobs"]?["first"]?["status"]?.stringValue == "READ_READY")
            #expect(batch.json["jobs"]?["second"]?["status"]?.stringValue == "READ_READY")
            #expect(batch.json["jobs"]?["bad"]?["status"]?.stringValue == "FAILED")
            #expect(batch.json["jobs"]?["after-bad"]?["error"]?["code"]?.stringValue == "DEPENDENCY_FAILED")

            let cycle = try await client.call(.post, "/reactor/v1/batches", json: ["jobs": [
                ["key": "x", "documentId": "a", "actions": [todoAction("4", text: "4")], "dependsOn": ["y"]],
                ["key": "y", "documentId": "b", "actions": [todoAction("5", text: "5")], "dependsOn": ["x"]],
            ]])
            #expect(cycle.status == .badRequest)
            #expect(cycle.errorCode == "DEPENDENCY_CYCLE")
        }
    }
}
