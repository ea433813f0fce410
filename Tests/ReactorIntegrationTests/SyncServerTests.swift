import AsyncHTTPClient
import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// Sync between `reactor serve` processes on loopback, remotes configured through the HTTP API.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SyncServerTests {
    /// Adds a remote on `server` pointing at `peer`.
    static func addRemote(on server: ServerProcess, name: String, peer: String, token: String? = nil) async throws {
        var body: [String: JSONValue] = ["name": .string(name), "url": .string(peer)]
        if let token { body["token"] = .string(token) }
        let reply = try await http(.POST, "\(server.base)/reactor/v1/sync/remotes", .object(body), token: try server.adminToken())
        #expect(reply.status == 201, "\(reply.json)")
    }

    /// The to-do ids of `list` on `server` (nil when the document is not there).
    static func items(_ server: ServerProcess, _ list: String) async throws -> [String]? {
        let reply = try await http(.GET, "\(server.base)/reactor/v1/documents/\(list)")
        guard reply.status == 200 else { return nil }
        return reply.json["state"]?["global"]?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
    }

    static func hash(_ server: ServerProcess, _ list: String) async throws -> String? {
        try await http(.GET, "\(server.base)/reactor/v1/documents/\(list)").json["hashes"]?["global"]?.stringValue
    }

    /// Writes `count` to-dos on `server`, a few per request.
    static func write(_ server: ServerProcess, _ list: String, prefix: String, count: Int) async throws {
        var k = 0
        while k < count {
            let actions: [JSONValue] = (k..<min(count, k + 3)).map { i in
                ["id": .string("\(prefix)-a\(i)"), "type": "ADD_TODO", "input": ["id": .string("\(prefix)-\(i)"), "text": .string("\(prefix) \(i)")]]
            }
            // Waited for: a job only accepted (202) dies with a server killed before it ran.
            let reply = try await http(.POST, "\(server.base)/reactor/v1/documents/\(list)/actions?wait=true", ["actions": .array(actions)])
            #expect(reply.status == 200, "\(reply.json)")
            k += actions.count
        }
    }

    @Test func threeServersConvergeAndAKilledHubResumes() async throws {
        let hub = try await ServerProcess()
        let s2 = try await ServerProcess()
        let s3 = try await ServerProcess()
        defer { for s in [hub, s2, s3] { try? FileManager.default.removeItem(at: s.directory) } }
        try await Self.addRemote(on: s2, name: "hub", peer: hub.base)
        try await Self.addRemote(on: s3, name: "hub", peer: hub.base)
        let created = try await http(.POST, "\(hub.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "list"])
        #expect(created.status == 201, "\(created.json)")
        try await eventually("the list reaches both peers", timeout: .seconds(30)) {
            let a = try await Self.items(s2, "list"), b = try await Self.items(s3, "list")
            return a == [] && b == []
        }

        // Concurrent writes on all three.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, s) in [hub, s2, s3].enumerated() { group.addTask { try await Self.write(s, "list", prefix: "s\(i)", count: 12) } }
            try await group.waitForAll()
        }
        // The hub dies without warning, comes back on its port and data, and writes again; so do the peers meanwhile.
        kill(hub.process.processIdentifier, SIGKILL)
        _ = try await hub.waitForExit(timeout: 30)
        try await Self.write(s2, "list", prefix: "s1-offline", count: 3)
        let hub2 = try await ServerProcess(arguments: ["--bind", "127.0.0.1:\(hub.port)"], directory: hub.directory)
        try await Self.write(hub2, "list", prefix: "s0-back", count: 3)
        try await Self.write(s3, "list", prefix: "s2-after", count: 3)

        let expected = 3 * 12 + 9
        try await eventually("all writes everywhere, once each, in one order", timeout: .seconds(60)) {
            let all = try await [hub2, s2, s3].asyncMap { try await Self.items($0, "list") ?? [] }
            return all[0].count == expected && all[0] == all[1] && all[1] == all[2] && Set(all[0]).count == expected
        }
        let hashes = try await [hub2, s2, s3].asyncMap { try await Self.hash($0, "list") }
        #expect(hashes[0] != nil && hashes[0] == hashes[1] && hashes[1] == hashes[2])
        for s in [s2, s3] {
            let status = try await http(.GET, "\(s.base)/reactor/v1/sync/remotes/hub", token: try s.adminToken())
            #expect(status.json["state"]?.stringValue == "connected", "\(status.json)")
            #expect(status.json["deadLetters"]?.intValue == 0, "\(status.json)")
        }
        #expect(try await s3.terminate() == 0)
        #expect(try await s2.terminate() == 0)
        #expect(try await hub2.terminate() == 0)
    }

    @Test func aKilledPeerResumesFromItsPersistedCursors() async throws {
        let hub = try await ServerProcess()
        let peer = try await ServerProcess()
        defer { for s in [hub, peer] { try? FileManager.default.removeItem(at: s.directory) } }
        try await Self.addRemote(on: peer, name: "hub", peer: hub.base)
        _ = try await http(.POST, "\(hub.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "list"])
        try await Self.write(hub, "list", prefix: "before", count: 6)
        try await eventually("the first writes reach the peer", timeout: .seconds(30)) { try await Self.items(peer, "list")?.count == 6 }
        kill(peer.process.processIdentifier, SIGKILL)
        _ = try await peer.waitForExit(timeout: 30)
        try await Self.write(hub, "list", prefix: "while-down", count: 6)
        let peer2 = try await ServerProcess(arguments: ["--bind", "127.0.0.1:\(peer.port)"], directory: peer.directory)
        try await Self.write(peer2, "list", prefix: "after", count: 3)
        try await eventually("nothing lost, nothing twice", timeout: .seconds(60)) {
            let a = try await Self.items(hub, "list") ?? [], b = try await Self.items(peer2, "list") ?? []
            return a.count == 15 && a == b && Set(a).count == 15
        }
        // The restarted peer pulled only what it had not seen: the hub's log holds each action once.
        let ops = try await http(.GET, "\(hub.base)/reactor/v1/documents/list/operations?scope=global&limit=1000")
        let ids = ops.json["items"]?.arrayValue?.compactMap { $0["action"]?["id"]?.stringValue ?? $0["operation"]?["action"]?["id"]?.stringValue } ?? []
        #expect(Set(ids).count == ids.count, "an action was stored twice on the hub: \(ids)")
        #expect(try await peer2.terminate() == 0)
        #expect(try await hub.terminate() == 0)
    }

    @Test func aWrongTokenStopsTheRemoteInTheErrorState() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataDir = dir.appendingPathComponent("data").path
        #expect(try await runCLI(["vault", "put", "--data-dir", dataDir, "auth/hmac", String(repeating: "k", count: 40)]).status == 0)
        let env = ["REACTOR_AUTH__ENABLED": "true", "REACTOR_AUTH__HMAC_SECRET": "vault:auth/hmac"]
        let hub = try await ServerProcess(arguments: ["--data-dir", dataDir], environment: env, directory: dir)
        let peer = try await ServerProcess()
        defer { try? FileManager.default.removeItem(at: peer.directory) }
        try await Self.addRemote(on: peer, name: "hub", peer: hub.base, token: "not-a-valid-token")
        try await eventually("the remote stops in the error state", timeout: .seconds(30)) {
            let status = try await http(.GET, "\(peer.base)/reactor/v1/sync/remotes/hub", token: try peer.adminToken())
            return status.json["state"]?.stringValue == "error"
        }
        let status = try await http(.GET, "\(peer.base)/reactor/v1/sync/remotes/hub", token: try peer.adminToken())
        #expect(status.json["lastError"]?["code"]?.stringValue == "PEER_REFUSED", "\(status.json)")
        // A token the hub accepts, and the remote runs again.
        let issued = try await runCLIWithEnvironment(["token", "issue", "--data-dir", dataDir, "--subject", "peer"], env)
        let token = issued.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await http(.DELETE, "\(peer.base)/reactor/v1/sync/remotes/hub", token: try peer.adminToken()).status == 204)
        try await Self.addRemote(on: peer, name: "hub", peer: hub.base, token: token)
        _ = try await http(.POST, "\(hub.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "list"], token: token)
        try await eventually("the list arrives with a good token", timeout: .seconds(30)) { try await Self.items(peer, "list") == [] }
        #expect(try await peer.terminate() == 0)
        #expect(try await hub.terminate() == 0)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
