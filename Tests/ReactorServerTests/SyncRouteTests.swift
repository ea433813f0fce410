import Foundation
import Logging
import NIOHTTP1
import ReactorConfig
import ReactorCore
import ReactorEngine
import ReactorModels
@testable import ReactorServer
import ReactorTesting
import Synchronization
import Testing

@Suite("Sync over HTTP between two servers", .timeLimit(.minutes(3)))
struct SyncOverHTTPTests {
    @Test func aRemoteAddedOverTheAPISyncsBothWays() async throws {
        try await withTwoSyncServers { a, b in
            let added = try await a.call(.POST, "/reactor/v1/sync/remotes", json: ["name": "b", "url": .string(b.base)], admin: true)
            #expect(added.status == 201, "\(added.text)")
            #expect(added.json["name"]?.stringValue == "b")
            #expect(added.json["token"] == .null)
            #expect(added.json["options"]?["pull"]?.stringValue == "live")

            // Written on A, read on B.
            let created = try await a.call(.POST, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "shared"])
            #expect(created.status == 201, "\(created.text)")
            let job = try #require(created.json["job"]?["id"]?.stringValue)
            let added1 = try await a.call(.POST, "/reactor/v1/documents/shared/actions?wait=true", json: ["actions": [todoAction("t1", text: "from a")]])
            #expect(added1.status == 200, "\(added1.text)")
            try await eventually("the document reaches B") {
                let read = try await b.call(.GET, "/reactor/v1/documents/shared")
                return read.status == 200 && read.json["state"]?["global"]?.canonicalString.contains("from a") == true
            }

            // Written on B, pulled live by A.
            let fromB = try await b.call(.POST, "/reactor/v1/documents/shared/actions?wait=true", json: ["actions": [todoAction("t2", text: "from b")]])
            #expect(fromB.status == 200, "\(fromB.text)")
            try await eventually("B's action reaches A") {
                try await a.call(.GET, "/reactor/v1/documents/shared").json["state"]?["global"]?.canonicalString.contains("from b") == true
            }
            try await eventually("both hold the same state") {
                let sa = try await a.call(.GET, "/reactor/v1/documents/shared").json, sb = try await b.call(.GET, "/reactor/v1/documents/shared").json
                return sa["hashes"] == sb["hashes"] && sa["state"] == sb["state"]
            }

            // The job's operations were acknowledged by B.
            let jobSync = try await a.call(.GET, "/reactor/v1/jobs/\(job)/sync?timeout=10")
            #expect(jobSync.status == 200, "\(jobSync.text)")
            #expect(jobSync.json["remotes"]?.arrayValue?.first?["remote"]?.stringValue == "b")
            try await eventually("nothing of the document is pending for B") {
                let status = try await a.call(.GET, "/reactor/v1/documents/shared/sync")
                return status.json["remotes"]?.arrayValue?.first?["pending"] == .bool(false)
            }

            // Status, list and metrics.
            let remote = try await a.call(.GET, "/reactor/v1/sync/remotes/b", admin: true)
            #expect(remote.json["state"]?.stringValue == "connected", "\(remote.text)")
            #expect((remote.json["pushCursor"]?.intValue ?? 0) > 0)
            #expect((remote.json["pulledOperations"]?.intValue ?? 0) >= 1)
            #expect(remote.json["peerId"]?.stringValue != nil)
            let list = try await a.call(.GET, "/reactor/v1/sync/remotes", admin: true)
            #expect(list.json["items"]?.arrayValue?.map { $0["name"]?.stringValue } == ["b"])
            let metrics = try await a.call(.GET, "/metrics").text
            #expect(metrics.contains(#"reactor_sync_remote_state{remote="b",state="connected"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"reactor_sync_remote_state{remote="b",state="error"} 0"#))
            #expect(metrics.contains(#"reactor_sync_push_cursor{remote="b"}"#))
            #expect(metrics.contains(#"reactor_sync_push_lag{remote="b"}"#))
            #expect(metrics.contains(#"reactor_sync_dead_letters{remote="b"} 0"#))
            #expect(metrics.contains(#"reactor_sync_pushed_operations_total{remote="b"}"#))
            #expect(metrics.contains(#"reactor_sync_pulled_operations_total{remote="b"}"#))

            // Pause, pull refused while paused, resume, pull now.
            let paused = try await a.call(.PATCH, "/reactor/v1/sync/remotes/b", json: ["paused": true], admin: true)
            #expect(paused.json["state"]?.stringValue == "paused", "\(paused.text)")
            #expect(paused.json["paused"] == .bool(true))
            let resumed = try await a.call(.PATCH, "/reactor/v1/sync/remotes/b", json: ["paused": false], admin: true)
            #expect(resumed.status == 200)
            try await eventually("b is connected again") {
                try await a.call(.GET, "/reactor/v1/sync/remotes/b", admin: true).json["state"]?.stringValue == "connected"
            }
            let pulled = try await a.call(.POST, "/reactor/v1/sync/remotes/b/pull?timeout=10", admin: true)
            #expect(pulled.status == 200, "\(pulled.text)")
            let letters = try await a.call(.GET, "/reactor/v1/sync/remotes/b/dead-letters", admin: true)
            #expect(letters.status == 200)
            #expect(letters.json["items"]?.arrayValue?.isEmpty == true)

            // Removal: the remote and its series go.
            #expect(try await a.call(.DELETE, "/reactor/v1/sync/remotes/b", admin: true).status == 204)
            #expect(try await a.call(.GET, "/reactor/v1/sync/remotes/b", admin: true).code == "REMOTE_NOT_FOUND")
            #expect(!(try await a.call(.GET, "/metrics").text.contains(#"remote="b""#)))
        }
    }

    @Test func aTokenIsSentAndNeverShown() async throws {
        try await withTwoSyncServers(authB: StaticAuthClient()) { a, b in
            let secret = "user"
            let added = try await a.call(.POST, "/reactor/v1/sync/remotes",
                                         json: ["name": "b", "url": .string(b.base + "/"), "token": .string(secret)], admin: true)
            #expect(added.status == 201, "\(added.text)")
            #expect(added.json["token"]?.stringValue == "***")
            try await eventually("the remote connects with its token") {
                try await a.call(.GET, "/reactor/v1/sync/remotes/b", admin: true).json["state"]?.stringValue == "connected"
            }
            let texts = [try await a.call(.GET, "/reactor/v1/sync/remotes/b", admin: true).text,
                         try await a.call(.GET, "/reactor/v1/sync/remotes", admin: true).text, try await a.call(.GET, "/metrics").text]
            for text in texts { #expect(!text.contains("\"\(secret)\""), "the token leaked: \(text)") }

            _ = try await a.call(.POST, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "with-token"])
            try await eventually("the document reaches B through its auth") {
                try await b.call(.GET, "/reactor/v1/documents/with-token", token: "admin").status == 200
            }
        }
    }

    @Test func aWrongTokenStopsTheRemoteWithPeerRefused() async throws {
        try await withTwoSyncServers(authB: StaticAuthClient()) { a, b in
            let added = try await a.call(.POST, "/reactor/v1/sync/remotes",
                                         json: ["name": "b", "url": .string(b.base), "token": "not-a-valid-token"], admin: true)
            #expect(added.status == 201, "\(added.text)")
            try await eventually("the remote stops in the error state") {
                let status = try await a.call(.GET, "/reactor/v1/sync/remotes/b", admin: true).json
                return status["state"]?.stringValue == "error" && status["lastError"]?["code"]?.stringValue == "PEER_REFUSED"
            }
            let metrics = try await a.call(.GET, "/metrics").text
            #expect(metrics.contains(#"reactor_sync_remote_state{remote="b",state="error"} 1"#), "\(metrics)")
            // A pull now says why.
            let pull = try await a.call(.POST, "/reactor/v1/sync/remotes/b/pull?timeout=5", admin: true)
            #expect(pull.status >= 400, "\(pull.text)")
            // Nothing was registered on B.
            #expect(try await b.sync.store.channels().isEmpty)
        }
    }

    @Test func anUnresolvableTokenReferenceIsTheRemotesError() async throws {
        try await withTwoSyncServers { a, b in
            let added = try await a.call(.POST, "/reactor/v1/sync/remotes",
                                         json: ["name": "b", "url": .string(b.base), "token": "env:REACTOR_TEST_UNSET_TOKEN"], admin: true)
            #expect(added.status == 201, "\(added.text)")
            try await eventually("the remote stops with the reference's problem") {
                let status = try await a.call(.GET, "/reactor/v1/sync/remotes/b", admin: true).json
                return status["state"]?.stringValue == "error"
                    && status["lastError"]?["message"]?.stringValue?.contains("REACTOR_TEST_UNSET_TOKEN") == true
            }
        }
    }
}

@Suite("Sync endpoints refuse bad requests", .timeLimit(.minutes(3)))
struct SyncBadRequestTests {
    static let channel = "ch-1"
    static let peer = "peer-a"

    func register(_ server: SyncTestServer) async throws {
        let reply = try await server.call(.PUT, "/reactor/v1/sync/channels/\(Self.channel)",
                                          json: ["channelId": .string(Self.channel), "peerId": .string(Self.peer), "name": "a", "filter": .object([:])])
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.json["reactorId"]?.stringValue == (try await server.sync.store.reactorID()))
    }

    func envelope(sender: String = peer, _ operations: [SyncOperation]) throws -> JSONValue {
        try JSONValueCoder.encode(SyncEnvelope(senderID: sender, cursor: 10, operations: operations))
    }

    /// Nothing was stored: no operation, no document, no dead letter.
    func expectNothingStored(_ server: SyncTestServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await server.reactor.store.operations(afterOrdinal: 0, limit: 10).isEmpty, sourceLocation: sourceLocation)
        #expect(try await server.sync.store.deadLetters(.channel(Self.channel)).isEmpty, sourceLocation: sourceLocation)
        #expect(try await server.sync.store.quarantined(.channel(Self.channel)).isEmpty, sourceLocation: sourceLocation)
    }

    @Test func everyBadChannelRequestIsA4xxWithACodeAndChangesNothing() async throws {
        try await withSyncServer(options: ServerOptions(maxSyncEnvelopeBytes: 65_536)) { server in
            try await register(server)
            let envelopes = "/reactor/v1/sync/channels/\(Self.channel)/envelopes"
            let cases: [(String, HTTPMethod, String, JSONValue?, String?, Int, String)] = [
                ("malformed JSON", .POST, envelopes, nil, #"{"senderId": "peer-a", "operations": ["#, 400, "BAD_REQUEST"),
                ("not an object", .POST, envelopes, nil, "[1, 2]", 400, "INVALID_INPUT"),
                ("a field of the wrong type", .POST, envelopes, ["senderId": 5, "cursor": 1, "operations": []], nil, 400, "INVALID_INPUT"),
                ("a missing field", .POST, envelopes, ["senderId": .string(Self.peer), "cursor": 1], nil, 400, "INVALID_INPUT"),
                ("an operation without its action", .POST, envelopes,
                 ["senderId": .string(Self.peer), "cursor": 1, "operations": [["documentId": "d", "documentType": "reactor/todo-list", "scope": "global",
                                                                            "branch": "main", "operation": ["id": "x", "index": 0]]]], nil, 400, "INVALID_INPUT"),
                ("an unknown channel", .POST, "/reactor/v1/sync/channels/nope/envelopes",
                 try envelope([syncOperation(index: 0, actionID: "a0")]), nil, 404, "CHANNEL_NOT_FOUND"),
                ("a channel id that is no identifier", .POST, "/reactor/v1/sync/channels/no%20pe/envelopes",
                 try envelope([syncOperation(index: 0, actionID: "a0")]), nil, 400, "INVALID_INPUT"),
                ("another sender", .POST, envelopes, try envelope(sender: "peer-b", [syncOperation(index: 0, actionID: "a0")]), nil, 403, "FORBIDDEN"),
                ("a stream out of index order", .POST, envelopes,
                 try envelope([syncOperation(index: 1, actionID: "a1"), syncOperation(index: 0, actionID: "a0")]), nil, 409, "OPERATION_GAP"),
                ("an operation id that is not its stream's", .POST, envelopes,
                 try envelope([syncOperation(document: "doc-2", index: 0, actionID: "a0")].map { var op = $0; op.documentID = "doc-3"; return op }),
                 nil, 409, "OPERATION_MISMATCH"),
                ("an envelope over the size limit", .POST, envelopes,
                 try envelope([syncOperation(index: 0, actionID: "a0", padding: 70_000)]), nil, 413, "PAYLOAD_TOO_LARGE"),
                ("a page of an unknown channel", .GET, "/reactor/v1/sync/channels/nope/operations", nil, nil, 404, "CHANNEL_NOT_FOUND"),
                ("a negative cursor", .GET, "/reactor/v1/sync/channels/\(Self.channel)/operations?after=-1", nil, nil, 400, "INVALID_ARGUMENT"),
                ("a limit over the page size", .GET, "/reactor/v1/sync/channels/\(Self.channel)/operations?limit=100000", nil, nil, 400, "INVALID_ARGUMENT"),
                ("a wait that is no number", .GET, "/reactor/v1/sync/channels/\(Self.channel)/operations?wait=soon", nil, nil, 400, "INVALID_ARGUMENT"),
                ("a registration for another path", .PUT, "/reactor/v1/sync/channels/other", ["channelId": .string(Self.channel), "peerId": .string(Self.peer),
                                                                                               "name": "a", "filter": .object([:])], nil, 400, "INVALID_INPUT"),
                ("a registration of another peer's channel", .PUT, "/reactor/v1/sync/channels/\(Self.channel)",
                 ["channelId": .string(Self.channel), "peerId": "peer-b", "name": "b", "filter": .object([:])], nil, 403, "FORBIDDEN"),
                ("a registration with a bad filter", .PUT, "/reactor/v1/sync/channels/ch-2",
                 ["channelId": "ch-2", "peerId": "peer-c", "name": "c", "filter": ["branch": "no branch"]], nil, 400, "INVALID_INPUT"),
                ("a registration with an empty body", .PUT, "/reactor/v1/sync/channels/ch-2", nil, "", 400, "BAD_REQUEST"),
            ]
            for (what, method, path, json, raw, status, code) in cases {
                let reply = try await server.call(method, path, json: json, raw: raw)
                #expect(reply.status == status, "\(what): \(reply.text)")
                #expect(reply.code == code, "\(what): \(reply.text)")
                try await expectNothingStored(server)
            }
            // The bad registrations changed nothing either.
            let channels = try await server.sync.store.channels()
            #expect(channels.map(\.registration.channelID) == [Self.channel])
            #expect(channels.first?.registration.peerID == Self.peer)

            // A good envelope after all of them is stored: a document created on another reactor.
            let operations = try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withReactor { module in
                _ = try await module.reactor.create(NewDocument(id: "from-peer", documentType: "reactor/todo-list"))
                try await eventually("the creation is ready") { module.reactor.readyOrdinal > 0 }
                return try await module.reactor.store.operations(afterOrdinal: 0, limit: 100).map {
                    SyncOperation(documentID: $0.stream.documentID, documentType: $0.documentType, scope: $0.stream.scope,
                                  branch: $0.stream.branch, operation: $0.operation)
                }
            }
            let good = try await server.call(.POST, envelopes, json: try envelope(operations))
            #expect(good.status == 200, "\(good.text)")
            #expect(good.json["applied"]?.intValue == operations.count, "\(good.text)")
            #expect(try await server.call(.GET, "/reactor/v1/documents/from-peer").status == 200)
        }
    }

    @Test func everyBadRemoteRequestIsA4xxWithACodeAndChangesNothing() async throws {
        try await withSyncServer { server in
            let good: JSONValue = ["name": "b", "url": "http://127.0.0.1:9"]
            #expect(try await server.call(.POST, "/reactor/v1/sync/remotes", json: good, admin: true).status == 201)
            let remotes = "/reactor/v1/sync/remotes"
            let cases: [(String, HTTPMethod, String, JSONValue?, String?, Bool, Int, String)] = [
                ("no credential", .POST, remotes, ["name": "c", "url": "http://x"], nil, false, 401, "UNAUTHENTICATED"),
                ("no credential to list", .GET, remotes, nil, nil, false, 401, "UNAUTHENTICATED"),
                ("malformed JSON", .POST, remotes, nil, #"{"name": "c", "#, true, 400, "BAD_REQUEST"),
                ("not an object", .POST, remotes, nil, #""c""#, true, 400, "INVALID_INPUT"),
                ("a misspelt field", .POST, remotes, ["name": "c", "url": "http://x", "tokne": "t"], nil, true, 400, "INVALID_INPUT"),
                ("a misspelt filter field", .POST, remotes, ["name": "c", "url": "http://x", "filter": ["documentType": ["x"]]], nil, true, 400, "INVALID_INPUT"),
                ("no url", .POST, remotes, ["name": "c"], nil, true, 400, "INVALID_INPUT"),
                ("a bad name", .POST, remotes, ["name": "c d", "url": "http://x"], nil, true, 400, "INVALID_INPUT"),
                ("another scheme", .POST, remotes, ["name": "c", "url": "ftp://x"], nil, true, 400, "INVALID_INPUT"),
                ("an in-process url", .POST, remotes, ["name": "c", "url": "inprocess:c"], nil, true, 400, "INVALID_INPUT"),
                ("credentials in the url", .POST, remotes, ["name": "c", "url": "http://u:p@x/"], nil, true, 400, "INVALID_INPUT"),
                ("a malformed token reference", .POST, remotes, ["name": "c", "url": "http://x", "token": "env:1-BAD"], nil, true, 400, "INVALID_INPUT"),
                ("an unknown pull mode", .POST, remotes, ["name": "c", "url": "http://x", "options": ["pull": "sometimes"]], nil, true, 400, "INVALID_INPUT"),
                ("a taken name", .POST, remotes, good, nil, true, 409, "REMOTE_EXISTS"),
                ("a patch of something else", .PATCH, "\(remotes)/b", ["url": "http://y"], nil, true, 400, "INVALID_INPUT"),
                ("a patch of the wrong type", .PATCH, "\(remotes)/b", ["paused": "yes"], nil, true, 400, "INVALID_INPUT"),
                ("an unknown remote", .GET, "\(remotes)/zz", nil, nil, true, 404, "REMOTE_NOT_FOUND"),
                ("pausing an unknown remote", .PATCH, "\(remotes)/zz", ["paused": true], nil, true, 404, "REMOTE_NOT_FOUND"),
                ("removing an unknown remote", .DELETE, "\(remotes)/zz", nil, nil, true, 404, "REMOTE_NOT_FOUND"),
                ("dead letters of an unknown remote", .GET, "\(remotes)/zz/dead-letters", nil, nil, true, 404, "REMOTE_NOT_FOUND"),
                ("a dead-letter limit out of range", .GET, "\(remotes)/b/dead-letters?limit=0", nil, nil, true, 400, "INVALID_ARGUMENT"),
                ("releasing a document that is not quarantined", .DELETE, "\(remotes)/b/quarantine/doc-1", nil, nil, true, 404, "NOT_FOUND"),
                ("a pull timeout out of range", .POST, "\(remotes)/b/pull?timeout=0", nil, nil, true, 400, "INVALID_ARGUMENT"),
                ("the sync of an unknown document", .GET, "/reactor/v1/documents/missing/sync", nil, nil, false, 404, "DOCUMENT_NOT_FOUND"),
                ("the sync of an unknown job", .GET, "/reactor/v1/jobs/missing/sync?timeout=1", nil, nil, false, 404, "JOB_NOT_FOUND"),
                ("a job-sync timeout out of range", .GET, "/reactor/v1/jobs/missing/sync?timeout=-1", nil, nil, false, 400, "INVALID_ARGUMENT"),
            ]
            for (what, method, path, json, raw, admin, status, code) in cases {
                let reply = try await server.call(method, path, json: json, raw: raw, admin: admin)
                #expect(reply.status == status, "\(what): \(reply.text)")
                #expect(reply.code == code, "\(what): \(reply.text)")
            }
            let all = try await server.sync.remotes()
            #expect(all.map(\.name) == ["b"])
            #expect(all.first?.channel.url == "http://127.0.0.1:9")
            #expect(all.first?.paused == false)
        }
    }

    @Test func syncRoutesAnswerUnsupportedWithoutSync() async throws {
        try await withTestServer(admin: AdminHooks().withTestToken, setup: .live) { client, _, _ in
            let reply = try await client.call(.get, "/reactor/v1/sync/channels/ch/operations")
            #expect(reply.status == .notFound)
            #expect(reply.errorCode == "UNSUPPORTED", "\(reply.text)")
            let remotes = try await client.call(.get, "/reactor/v1/sync/remotes", token: testAdminToken.secretText)
            #expect(remotes.errorCode == "UNSUPPORTED", "\(remotes.text)")
        }
    }
}

@Suite("Sync remotes in Reactor.toml", .timeLimit(.minutes(3)))
struct SyncConfiguredRemoteTests {
    /// Boots `toml` (a SQLite store in `dataDir`), runs the server while `body` runs, then stops it.
    func withBootedServer(_ toml: String, dataDir: URL, _ body: @Sendable (String, String) async throws -> Void) async throws {
        let configuration = try ConfigLoader.parse("""
            [server]
            bind = "127.0.0.1:0"
            data_dir = "\(dataDir.path)"
            [vault]
            backend = "none"
            [sync]
            long_poll_seconds = 1
            retry_max_seconds = 1
            \(toml)
            """)
        let booted = try await ServerBootstrap.boot(configuration, environment: [:], logger: Logger(label: "sync-config-test"))
        let token = try #require(booted.deps.admin.localToken).secretText
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await booted.run(logger: Logger(label: "sync-config-test"), handleSignals: false) { portContinuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body("http://127.0.0.1:\(port)", token)
            group.cancelAll()
        }
    }

    @Test func configuredRemotesAreAddedThenUpdatedKeepingTheirIdentity() async throws {
        let dataDir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("reactor-sync-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let channelID = Mutex<String?>(nil)
        try await withBootedServer("""
            [[sync.remotes]]
            name = "office"
            url = "http://127.0.0.1:9"
            pull = "manual"
            """, dataDir: dataDir) { base, token in
            let office = try await httpCall(.GET, base + "/reactor/v1/sync/remotes/office", token: token)
            #expect(office.status == 200, "\(office.text)")
            #expect(office.json["url"]?.stringValue == "http://127.0.0.1:9")
            #expect(office.json["options"]?["pull"]?.stringValue == "manual")
            channelID.withLock { $0 = office.json["channelId"]?.stringValue }
            // Paused over the API: the next boot keeps it paused (the file does not say).
            #expect(try await httpCall(.PATCH, base + "/reactor/v1/sync/remotes/office", json: ["paused": true], token: token).status == 200)
            #expect(try await httpCall(.POST, base + "/reactor/v1/sync/remotes", json: ["name": "api", "url": "http://127.0.0.1:9"], token: token).status == 201)
        }
        try await withBootedServer("""
            [[sync.remotes]]
            name = "office"
            url = "http://127.0.0.1:10"
            token = "env:OFFICE_TOKEN"
            document_types = ["reactor/todo-list"]
            """, dataDir: dataDir) { base, token in
            let office = try await httpCall(.GET, base + "/reactor/v1/sync/remotes/office", token: token)
            #expect(office.json["url"]?.stringValue == "http://127.0.0.1:10", "\(office.text)")
            #expect(office.json["token"]?.stringValue == "***")
            #expect(office.json["filter"]?["documentTypes"] == .array(["reactor/todo-list"]))
            #expect(office.json["options"]?["pull"]?.stringValue == "live")
            #expect(office.json["channelId"]?.stringValue == channelID.withLock { $0 })
            #expect(office.json["paused"] == .bool(true))
            #expect(office.json["state"]?.stringValue == "paused")
            // The remote added over the API is still there.
            let names = try await httpCall(.GET, base + "/reactor/v1/sync/remotes", token: token).json["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["api", "office"])
        }
    }

    @Test func aPeerThatRefusesConnectionsIsRetried() async throws {
        try await withSyncServer { a in
            // A port nobody listens on: connections are refused at once.
            let closed = try await withSyncServer { b in b.port }
            _ = try await a.call(.POST, "/reactor/v1/sync/remotes", json: ["name": "gone", "url": .string("http://127.0.0.1:\(closed)")], admin: true)
            try await eventually("the remote retries with PEER_UNAVAILABLE") {
                let status = try await a.call(.GET, "/reactor/v1/sync/remotes/gone", admin: true).json
                return status["state"]?.stringValue == "retrying" && status["lastError"]?["code"]?.stringValue == "PEER_UNAVAILABLE"
            }
        }
    }
}
