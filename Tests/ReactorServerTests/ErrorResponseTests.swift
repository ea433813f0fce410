import Foundation
import HummingbirdTesting
import ReactorCore
import ReactorServer
import Testing

/// Bad input always gets a 4xx with a JSON body `{"error": {"code", "message"}}` naming what was wrong.
@Suite("HTTP errors", .timeLimit(.minutes(3)))
struct ErrorResponseTests {
    @Test func badBodiesNameTheField() async throws {
        try await withTestServer { client, _, _ in
            let malformed = try await client.call(.post, "/reactor/v1/documents", raw: "{\"documentType\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "BAD_REQUEST")

            let empty = try await client.call(.post, "/reactor/v1/documents")
            #expect(empty.status == .badRequest)

            let notObject = try await client.call(.post, "/reactor/v1/documents", raw: "[1,2]")
            #expect(notObject.errorCode == "INVALID_INPUT")

            let missing = try await client.call(.post, "/reactor/v1/documents", json: ["name": "x"])
            #expect(missing.status == .badRequest)
            #expect(missing.errorCode == "INVALID_INPUT")
            #expect(missing.errorPath == "documentType")

            let wrongType = try await client.call(.post, "/reactor/v1/documents", json: ["documentType": 42])
            #expect(wrongType.errorPath == "documentType")

            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d"])
            let noID = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": [["type": "ADD_TODO"]]])
            #expect(noID.status == .badRequest)
            #expect(noID.errorCode == "MISSING_ACTION_ID")
            #expect(noID.errorPath == "actions[0].id")

            let badItem = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": [["id": "a", "type": 7]]])
            #expect(badItem.errorPath == "actions[0].type")

            let noActions = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": []])
            #expect(noActions.errorCode == "INVALID_INPUT")

            let slashID = try await client.call(.post, "/reactor/v1/documents", json: ["documentType": "reactor/todo-list", "id": "a/b"])
            #expect(slashID.errorPath == "id")
        }
    }

    @Test func failedJobsAnswerWithTheirCodeAndTheJob() async throws {
        try await withTestServer { client, _, _ in
            let unknownType = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "no/such-type"])
            #expect(unknownType.status == .badRequest)
            #expect(unknownType.errorCode == "UNKNOWN_DOCUMENT_TYPE")
            #expect(unknownType.json["job"]?["status"]?.stringValue == "FAILED")

            _ = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d", "slug": "s"])
            let duplicate = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "DOCUMENT_EXISTS")

            let badInput = try await client.call(.post, "/reactor/v1/documents/d/actions?wait=true",
                                                 json: ["actions": [["id": "a", "type": "ADD_TODO", "input": ["text": 5]]]])
            #expect(badInput.status == .badRequest)
            #expect(badInput.errorCode == "INVALID_INPUT")

            let unknownAction = try await client.call(.post, "/reactor/v1/documents/d/actions?wait=true", json: ["actions": [["id": "b", "type": "FLY"]]])
            #expect(unknownAction.errorCode == "UNKNOWN_ACTION")
        }
    }

    @Test func notFoundLimitsAndParameters() async throws {
        try await withTestServer(options: ServerOptions(maxBodyBytes: 1_000)) { client, _, _ in
            let missing = try await client.call(.get, "/reactor/v1/documents/nope")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "DOCUMENT_NOT_FOUND")
            #expect(missing.headers[.contentType]?.hasPrefix("application/json") == true)

            let noRoute = try await client.call(.get, "/reactor/v1/nothing-here")
            #expect(noRoute.status == .notFound)
            #expect(noRoute.errorCode == "NOT_FOUND")

            let noJob = try await client.call(.get, "/reactor/v1/jobs/unknown")
            #expect(noJob.errorCode == "JOB_NOT_FOUND")

            let big = try await client.call(.post, "/reactor/v1/documents", raw: "{\"documentType\":\"" + String(repeating: "x", count: 5_000) + "\"}")
            #expect(big.status == .contentTooLarge)
            #expect(big.errorCode == "PAYLOAD_TOO_LARGE")

            for uri in ["/reactor/v1/documents?limit=0", "/reactor/v1/documents?limit=abc", "/reactor/v1/documents?cursor=-3",
                        "/reactor/v1/documents?includeDeleted=maybe", "/reactor/v1/documents/x?consistencyToken=%%%",
                        "/reactor/v1/jobs/x?wait=true&timeout=-1"] {
                let reply = try await client.call(.get, uri)
                #expect(reply.status.code >= 400 && reply.status.code < 500, "\(uri) → \(reply.status)")
                #expect(reply.errorCode != nil, "\(uri) has no JSON error")
            }
            let badLimit = try await client.call(.get, "/reactor/v1/documents?limit=0")
            #expect(badLimit.errorCode == "INVALID_ARGUMENT")
            #expect(badLimit.errorPath == "limit")
        }
    }
}
