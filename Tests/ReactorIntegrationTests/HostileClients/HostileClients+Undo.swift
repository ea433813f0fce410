import Foundation
import ReactorCore
import ReactorTesting
import Testing

/// Hostile clients, the long UNDO (issue 10): one UNDO on a to-do list of thousands of operations took 10 s and
/// 1.6 GB at 3,000 operations, and ran past the job timeout at 6,000. Against the built `reactor` on loopback.
@Suite("HostileClients: long undo", .tags(.hostileClients), .enabled(if: HostileClientsRun.enabled, HostileClientsRun.reason), .serialized, .timeLimit(.minutes(4)))
struct HostileClientsUndo {
    /// The peak resident memory the server may reach while building the list and undoing on it.
    static let peakBound = 160 << 20

    /// Builds a to-do list of 3,000 operations (400 `ADD_TODO`, then 2,600 `TOGGLE_TODO`, in jobs of 1,000 actions:
    /// every action re-encodes the whole list, so 3,000 `ADD_TODO` would take minutes in a debug build), then undoes
    /// three times and redoes once: each completes (within the job timeout: a timed-out job would fail), and the
    /// server's peak RSS stays far below the 1.6 GB of the full replay (which kept one list per operation).
    @Test func undoOnALongList() async throws {
        let server = try await ServerProcess()
        let base = server.base
        let (items, operations) = (400, 3_000)
        let created = try await http(.POST, "\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "long"])
        #expect(created.status == 201)
        let setup = ContinuousClock.now
        var lastJob = ""
        for start in stride(from: 0, to: operations, by: 1_000) {
            let actions: [JSONValue] = (start..<start + 1_000).map { n in
                n < items ? ["id": .string("a\(n)"), "type": "ADD_TODO", "input": ["id": .string("t\(n)"), "text": .string("to-do number \(n)")]]
                    : ["id": .string("a\(n)"), "type": "TOGGLE_TODO", "input": ["id": .string("t\(n % items)")]]
            }
            let reply = try await http(.POST, "\(base)/reactor/v1/documents/long/actions", ["actions": .array(actions)])
            #expect(reply.status == 202)
            lastJob = try #require(reply.json["job"]?["id"]?.stringValue)
        }
        // The jobs run in order; a debug build on a loaded machine takes a while (every action re-encodes the list).
        try await eventually("the list is built", timeout: .seconds(180), interval: .milliseconds(200)) {
            let job = try await http(.GET, "\(base)/reactor/v1/jobs/\(lastJob)?wait=true&timeout=20")
            return job.json["job"]?["status"]?.stringValue == "READ_READY"
        }
        let settled = try await http(.POST, "\(base)/reactor/v1/documents/long/actions?wait=true",
                                     ["actions": [["id": "title", "type": "SET_TITLE", "input": ["title": "long"]]]])
        #expect(settled.status == 200)
        #expect(settled.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.count == items)
        let setupSeconds = Self.seconds(setup.duration(to: .now))
        let rssBefore = server.residentBytes ?? 0

        var undoSeconds: [Double] = []
        for round in 0..<3 {
            let start = ContinuousClock.now
            let undo = try await http(.POST, "\(base)/reactor/v1/documents/long/actions?wait=true",
                                      ["actions": [["id": .string("undo\(round)"), "type": "UNDO"]]])
            undoSeconds.append(Self.seconds(start.duration(to: .now)))
            #expect(undo.status == 200, "undo \(round): \(undo.json)")
            #expect(undo.json["job"]?["status"]?.stringValue == "READ_READY")
        }
        let redo = try await http(.POST, "\(base)/reactor/v1/documents/long/actions?wait=true", ["actions": [["id": "redo", "type": "REDO"]]])
        #expect(redo.status == 200)
        // Three undone, one redone: the title change and the toggles of t199 and t198 undone, t198's redone. Items
        // t0…t199 were toggled 7 times, t200…t399 6 times: 200 done, 199 after the undos and the redo.
        let list = redo.json["document"]?["state"]?["global"]
        #expect(list?["items"]?.arrayValue?.count == items)
        #expect(list?["title"]?.stringValue == "")
        #expect(list?["items"]?.arrayValue?.filter { $0["done"]?.boolValue == true }.count == 199)

        let peak = try #require(server.peakResidentBytes)
        print(String(format: "hostile-clients: long undo: %d operations (setup %.1f s), undo %@ s, RSS before the undos %@, peak RSS %@ (bound %@)",
                     operations, setupSeconds, undoSeconds.map { String(format: "%.2f", $0) }.joined(separator: ", "),
                     Self.mib(rssBefore), Self.mib(peak), Self.mib(Self.peakBound)))
        #expect(peak < Self.peakBound)
        #expect(try await server.terminate() == 0)
    }

    /// With `reactor.max_history_replay_operations` = 50, an undo on 60 operations is refused with 422
    /// `HISTORY_TOO_LONG` telling the user to prune; `PRUNE` works, and undo works again after it.
    @Test func historyTooLongIsA422() async throws {
        let server = try await ServerProcess(environment: ["REACTOR_REACTOR__MAX_HISTORY_REPLAY_OPERATIONS": "50"])
        let base = server.base
        _ = try await http(.POST, "\(base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": "bounded"])
        let actions: [JSONValue] = (0..<60).map { n in ["id": .string("a\(n)"), "type": "ADD_TODO", "input": ["id": .string("t\(n)"), "text": "x"]] }
        #expect(try await http(.POST, "\(base)/reactor/v1/documents/bounded/actions?wait=true", ["actions": .array(actions)]).status == 200)

        let refused = try await http(.POST, "\(base)/reactor/v1/documents/bounded/actions?wait=true", ["actions": [["id": "u1", "type": "UNDO"]]])
        #expect(refused.status == 422)
        #expect(refused.json["error"]?["code"]?.stringValue == "HISTORY_TOO_LONG")
        #expect(refused.json["error"]?["message"]?.stringValue?.contains("PRUNE") == true)
        #expect(refused.json["error"]?["details"]?["limit"]?.stringValue == "50")

        #expect(try await http(.POST, "\(base)/reactor/v1/documents/bounded/actions?wait=true", ["actions": [["id": "p", "type": "PRUNE"]]]).status == 200)
        let undone = try await http(.POST, "\(base)/reactor/v1/documents/bounded/actions?wait=true", ["actions": [["id": "u2", "type": "UNDO"]]])
        #expect(undone.status == 200)
        // Undoing the prune's one step returns to the initial state.
        #expect(undone.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.count == 0)
        print("hostile-clients: history too long: undo on 60 operations with max_history_replay_operations = 50 answered \(refused.status) \(refused.json["error"]?["code"]?.stringValue ?? "")")
        #expect(try await server.terminate() == 0)
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    static func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
}
