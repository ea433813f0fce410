import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorSQLite
import ReactorTesting
import Testing

/// Scenario 10: a child process writing jobs is killed with SIGKILL; after reopening, every job it saw reach
/// WRITE_READY is fully present, and no job is half-written.
@Suite(.timeLimit(.minutes(10))) struct CrashSafetyTests {
    @Test(.timeLimit(.minutes(5)))
    func sigkillLosesNoAcknowledgedWrite() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("crash.sqlite").path
        let logURL = dir.appendingPathComponent("worker.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)

        let process = Process()
        process.executableURL = try builtBinary("reactor-bench")
        process.arguments = ["crash-worker", "--db", db, "--documents", "6"]
        let exit = try TestProcess.start(process, standardOutput: logURL, standardError: nil)

        // Let it write for a while (at least 300 acknowledged jobs), then kill it mid-stream.
        let deadline = Date().addingTimeInterval(120)
        var acknowledged = 0
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            acknowledged = text.components(separatedBy: "\n").filter { $0.hasPrefix("WRITE_READY ") }.count
            if acknowledged >= 300 || !process.isRunning { break }
        }
        #expect(process.isRunning, "the worker exited before it was killed")
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.status()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(acknowledged >= 300, "the worker acknowledged only \(acknowledged) jobs")

        // Only complete lines count (the kill may cut the last one).
        var lines = try String(contentsOf: logURL, encoding: .utf8).components(separatedBy: "\n")
        lines.removeLast()

        let store = try SQLiteStore(path: db)
        // Every acknowledged coordinate is stored, with the acknowledged action.
        for line in lines where line.hasPrefix("WRITE_READY ") {
            let parts = line.split(separator: " ").map(String.init)
            let documentID = parts[2]
            for coordinate in parts[3].split(separator: ",") {
                let c = coordinate.split(separator: ":").map(String.init)
                let stream = StreamID(documentID: documentID, scope: c[0])
                let stored = try await store.operations(in: stream, fromIndex: Int(c[1])!, limit: 1).first
                #expect(stored?.action.id == c[2], "acknowledged \(stream)[\(c[1])] is missing after the crash")
            }
        }
        // Every submitted job is all there or not there at all.
        var complete = 0
        for line in lines where line.hasPrefix("SUBMIT ") {
            let parts = line.split(separator: " ").map(String.init)
            let stream = StreamID(documentID: parts[2], scope: Scope.global)
            let opIDs = parts[3].split(separator: ",").map { OperationID.make(stream: stream, actionID: String($0)) }
            let present = try await store.existingOperationIDs(opIDs)
            #expect(present.isEmpty || present.count == opIDs.count, "job \(parts[1]) is half-written: \(present.count)/\(opIDs.count)")
            if present.count == opIDs.count { complete += 1 }
        }
        #expect(complete > 0)

        // The reopened database loads every document, and each state matches its last hash; writes go on.
        try await ReactorBuilder.sqlite(store).withReactor { module in
            for i in 0..<6 {
                let doc = try await module.reactor.get("crash-\(i)")
                #expect(doc.hashes[Scope.global] == StateHash.of(doc.state[Scope.global]!))
                let revision = try await store.revisions(documentID: doc.id, branch: Branch.main)[Scope.global] ?? 0
                #expect(doc.header.revision[Scope.global] ?? 0 == revision)
                let info = try await module.reactor.waitForJob(try await module.reactor.execute(doc.id, actions: [TodoList.setTitle("after crash")]).id)
                #expect(info.consistencyToken?.coordinates.first?.operationIndex == revision)
            }
        }
        try await store.close()
    }
}
