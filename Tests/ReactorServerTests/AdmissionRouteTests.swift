import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ReactorConfig
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorServer
import ReactorTesting
import Testing

/// Holds every commit while its ``Hold`` is armed, so that jobs stay pending while a test sends more.
final class HeldCommitStore: ForwardingStore, @unchecked Sendable {
    let hold = Hold()

    override func commit(_ commits: [Commit]) async -> [Result<CommitReceipt, ReactorError>] {
        await hold.pass()
        return await base.commit(commits)
    }
}

/// Write admission over HTTP: beyond a document's pending work 429 `TOO_MANY_PENDING_JOBS`, beyond the server's
/// 503 `OVERLOADED`, both with `Retry-After`; refused writes are never written.
@Suite(.timeLimit(.minutes(1))) struct AdmissionRouteTests {
    @Test func refusedWritesAnswer429Or503WithRetryAfter() async throws {
        let store = HeldCommitStore(InMemoryStore())
        let limits = AdmissionLimits(maxPendingJobs: 2, maxPendingJobsPerDocument: 1, documentRetryAfterSeconds: 2,
                                     overloadRetryAfterSeconds: 9)
        try await withTestServer(store: store, configure: { $0.withAdmissionLimits(limits) }) { client, reactor, _ in
            let created = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d"])
            #expect(created.status == .created)
            store.hold.arm()
            let accepted = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": [todoAction("1", text: "kept")]])
            #expect(accepted.status == .accepted)

            let perDocument = try await client.call(.post, "/reactor/v1/documents/d/actions", json: ["actions": [todoAction("2", text: "refused")]])
            #expect(perDocument.status == .tooManyRequests)
            #expect(perDocument.headers[.retryAfter] == "2")
            #expect(perDocument.errorCode == "TOO_MANY_PENDING_JOBS")
            #expect(perDocument.json["error"]?["details"]?["retryAfterSeconds"]?.stringValue == "2")
            #expect(perDocument.json["error"]?["details"]?["resource"]?.stringValue == "jobs")

            let other = try await client.call(.post, "/reactor/v1/documents", json: ["documentType": "reactor/todo-list", "id": "e"])
            #expect(other.status == .accepted)
            let overloaded = try await client.call(.post, "/reactor/v1/batches", json: ["jobs": [
                ["key": "k", "documentId": "f", "actions": [todoAction("3", text: "refused")]],
            ]])
            #expect(overloaded.status == .serviceUnavailable)
            #expect(overloaded.headers[.retryAfter] == "9")
            #expect(overloaded.errorCode == "OVERLOADED")
            #expect(overloaded.json["error"]?["details"]?["pending"] == nil, "the server's own load is not shown")

            store.hold.release()
            try await eventually("the held jobs ended", timeout: .seconds(30)) { reactor.pendingWork == PendingWork() }
            let retried = try await client.call(.post, "/reactor/v1/documents/d/actions?wait=true", json: ["actions": [todoAction("4", text: "retried")]])
            #expect(retried.status == .ok)
            let texts = retried.json["document"]?["state"]?["global"]?["items"]?.arrayValue?.compactMap { $0["text"]?.stringValue }
            #expect(texts == ["kept", "retried"], "the refused write was never written")
        }
    }

    /// The `[reactor]` keys of admission and drain reach the reactor the server boots.
    @Test func theKeysReachTheReactor() async throws {
        let dataDir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("reactor-admission-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let configuration = try ConfigLoader.parse("""
            [server]
            data_dir = "\(dataDir.path)"
            [store]
            backend = "memory"
            [vault]
            backend = "none"
            [reactor]
            max_pending_jobs = 50
            max_pending_bytes = 40000000
            max_pending_jobs_per_document = 5
            max_pending_bytes_per_document = 2000000
            shutdown_drain_seconds = 2.5
            """, environment: [:])
        let booted = try await ServerBootstrap.boot(configuration, environment: [:], logger: Logger(label: "test"))
        #expect(booted.deps.reactor.admissionLimits == AdmissionLimits(maxPendingJobs: 50, maxPendingBytes: 40_000_000,
                                                                       maxPendingJobsPerDocument: 5, maxPendingBytesPerDocument: 2_000_000))
        #expect(booted.deps.reactor.executorConfig.shutdownDrainTimeout == .milliseconds(2_500))
        try await booted.store.close()
    }

    @Test func onlyAdmissionRefusalsCarryRetryAfter() {
        let refusal = JSONResponse.error(ReactorError(.tooManyPendingJobs, "busy", details: ["retryAfterSeconds": "3"]))
        #expect(refusal.status == .tooManyRequests)
        #expect(refusal.headers[.retryAfter] == "3")
        #expect(JSONResponse.error(ReactorError(.overloaded, "busy")).headers[.retryAfter] == "1")
        #expect(JSONResponse.error(.shutdown()).headers[.retryAfter] == nil)
        #expect(HTTPErrorMapping.status(for: ReactorError(.shutdownDeadline, "late")) == .serviceUnavailable)
    }
}
