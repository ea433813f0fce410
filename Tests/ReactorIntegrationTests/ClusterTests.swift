// PostgreSQL server tests: only when the binary links PostgreSQL (the default `Postgres` trait).
#if Postgres
import AsyncHTTPClient
import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// Several `reactor serve` processes (nodes) on one PostgreSQL database: per-document order across nodes,
/// subscriptions that see other nodes' writes, and a node killed with SIGKILL whose accepted jobs another node
/// finishes, each exactly once.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ClusterTests {
    /// Nodes with quick heartbeats, so that a killed node is taken over within seconds (`nodeTimeout` long enough that
    /// a busy CI machine does not make a live node look stopped).
    static func environment(_ url: String, nodeTimeout: Double = 6) -> [String: String] {
        ["REACTOR_STORE__BACKEND": "postgres", "REACTOR_STORE__URL": url, "REACTOR_VAULT__BACKEND": "none",
         "REACTOR_REACTOR__HEARTBEAT_SECONDS": "0.25", "REACTOR_REACTOR__NODE_TIMEOUT_SECONDS": String(nodeTimeout)]
    }

    /// Two `reactor serve` nodes on a fresh database.
    static func twoNodes(_ prefix: String, nodeTimeout: Double = 6) async throws -> (ServerProcess, ServerProcess) {
        let env = environment(try await PostgresTestServer.createDatabase(prefix), nodeTimeout: nodeTimeout)
        return (try await ServerProcess(environment: env), try await ServerProcess(environment: env))
    }

    /// Removes the nodes' directories.
    static func remove(_ nodes: ServerProcess...) {
        for node in nodes { try? FileManager.default.removeItem(at: node.directory) }
    }

    /// The action ids of a document's `global` operations, in stream order, read from `base`.
    static func globalActionIDs(_ base: String, _ documentID: String) async throws -> [String] {
        let ops = try await http(.GET, "\(base)/reactor/v1/documents/\(documentID)/operations?scope=global&limit=1000")
        #expect(ops.status == 200, "\(ops.json)")
        let items = ops.json["items"]?.arrayValue ?? []
        let sorted = items.sorted { ($0["operation"]?["index"]?.intValue ?? 0) < ($1["operation"]?["index"]?.intValue ?? 0) }
        return sorted.compactMap { $0["operation"]?["action"]?["id"]?.stringValue }
    }

    @Test(.timeLimit(.minutes(5)))
    func jobsOfOneDocumentKeepTheirOrderAcrossNodes() async throws {
        let (node1, node2) = try await Self.twoNodes("order")
        defer { Self.remove(node1, node2) }
        let created = try await http(.POST, "\(node1.base)/reactor/v1/documents?wait=true",
                                     ["documentType": "reactor/todo-list", "id": "list"])
        #expect(created.status == 201, "\(created.json)")

        // Each write is accepted (202) before the next is sent, alternately to each node: the stream must hold them
        // in that order.
        var jobs: [(ServerProcess, String)] = []
        for i in 0..<40 {
            let node = i % 2 == 0 ? node1 : node2
            let reply = try await http(.POST, "\(node.base)/reactor/v1/documents/list/actions",
                                       ["actions": [["id": .string("a\(i)"), "type": "ADD_TODO", "input": ["id": .string("\(i)"), "text": .string("item \(i)")]]]])
            #expect(reply.status == 202, "\(reply.json)")
            jobs.append((node, try #require(reply.json["job"]?["id"]?.stringValue)))
        }
        for (node, id) in jobs {
            let done = try await http(.GET, "\(node.base)/reactor/v1/jobs/\(id)?wait=true&timeout=60")
            #expect(done.json["job"]?["status"]?.stringValue == "READ_READY", "\(done.json)")
        }
        #expect(try await Self.globalActionIDs(node2.base, "list") == (0..<40).map { "a\($0)" })
        // Either node answers for a job the other one ran.
        let (_, lastID) = jobs[jobs.count - 1]
        let remote = try await http(.GET, "\(node1.base)/reactor/v1/jobs/\(lastID)")
        #expect(remote.json["job"]?["status"]?.stringValue == "READ_READY", "\(remote.json)")

        // With the last job's token (node 2 wrote it), node 1 reads the document with every item.
        let token = try #require(remote.json["job"]?["token"]?.stringValue)
        let read = try await http(.GET, "\(node1.base)/reactor/v1/documents/list?consistencyToken=\(token)")
        #expect(read.json["state"]?["global"]?["items"]?.arrayValue?.count == 40, "\(read.json)")
        #expect(try await node1.terminate() == 0)
        #expect(try await node2.terminate() == 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func aSubscriptionOnOneNodeSeesWritesOfTheOther() async throws {
        let (node1, node2) = try await Self.twoNodes("subscribe")
        defer { Self.remove(node1, node2) }
        // node 2 caches the document first, so the change from node 1 must also replace its cached copy.
        let created = try await http(.POST, "\(node2.base)/reactor/v1/documents?wait=true",
                                     ["documentType": "reactor/todo-list", "id": "watched"])
        #expect(created.status == 201, "\(created.json)")

        let sse = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "\(node2.base)/reactor/v1/subscriptions/events?ids=watched"), timeout: .seconds(60))
        var iterator = sse.body.makeAsyncIterator()
        var text = ""
        while !text.contains("event: ready"), let chunk = try await iterator.next() { text += String(buffer: chunk) }

        let written = try await http(.POST, "\(node1.base)/reactor/v1/documents/watched/actions?wait=true",
                                     ["actions": [["id": "n1", "type": "ADD_TODO", "input": ["id": "1", "text": "from node 1"]]]])
        #expect(written.status == 200, "\(written.json)")
        func changeEvents() -> [String] {
            var blocks = text.components(separatedBy: "\n\n")
            blocks.removeLast()
            return blocks.filter { $0.contains("event: change") }
        }
        while !changeEvents().contains(where: { $0.contains("from node 1") }), let chunk = try await iterator.next() {
            text += String(buffer: chunk)
        }
        #expect(changeEvents().contains { $0.contains("from node 1") && $0.contains("\"kind\":\"updated\"") })

        // Without a token too, node 2 soon serves the new state (its cached copy was replaced).
        try await eventually("node 2 serves node 1's change without a token") {
            let read = try await http(.GET, "\(node2.base)/reactor/v1/documents/watched")
            return read.json["state"]?["global"]?["items"]?.arrayValue?.count == 1
        }
        #expect(try await node2.terminate() == 0)
        #expect(try await node1.terminate() == 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func jobsOfAKilledNodeAreTakenOverAndRunOnce() async throws {
        let (node1, node2) = try await Self.twoNodes("takeover", nodeTimeout: 2)
        defer { Self.remove(node1, node2) }
        let documents = (0..<4).map { "doc\($0)" }
        for id in documents {
            let created = try await http(.POST, "\(node1.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": .string(id)])
            #expect(created.status == 201, "\(created.json)")
        }
        // 4 documents × 150 jobs accepted by node 1 in one batch (each job depends on the previous one of its
        // document), then node 1 is killed at once, with most of them still queued.
        let perDocument = 150
        var batch: [JSONValue] = []
        for id in documents {
            for i in 0..<perDocument {
                var job: [String: JSONValue] = [
                    "key": .string("\(id)-\(i)"), "documentId": .string(id),
                    "actions": [["id": .string("\(id)-a\(i)"), "type": "ADD_TODO", "input": ["id": .string("\(i)"), "text": "x"]]],
                ]
                if i > 0 { job["dependsOn"] = [.string("\(id)-\(i - 1)")] }
                batch.append(.object(job))
            }
        }
        let accepted = try await http(.POST, "\(node1.base)/reactor/v1/batches", ["jobs": .array(batch)])
        kill(node1.process.processIdentifier, SIGKILL)
        #expect(accepted.status == 202, "\(accepted.json)")
        let jobIDs = (accepted.json["jobs"]?.objectValue ?? [:]).values.compactMap { $0["id"]?.stringValue }
        #expect(jobIDs.count == documents.count * perDocument)

        // Node 2 finishes every accepted job (after the node timeout) and answers for each.
        for id in jobIDs {
            let done = try await http(.GET, "\(node2.base)/reactor/v1/jobs/\(id)?wait=true&timeout=60")
            #expect(done.json["job"]?["status"]?.stringValue == "READ_READY", "\(done.json)")
        }
        // Every action is stored once, in order: nothing lost, nothing run twice.
        for id in documents {
            #expect(try await Self.globalActionIDs(node2.base, id) == (0..<perDocument).map { "\(id)-a\($0)" })
        }
        #expect(node2.standardError.contains("took over a job"), "node 1 had finished everything before it was killed")
        #expect(try await node2.terminate() == 0)
    }
}
#endif
