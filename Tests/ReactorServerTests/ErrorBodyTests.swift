import Foundation
import GRDB
import HummingbirdTesting
import ReactorCore
import ReactorServer
import ReactorSQLite
import Testing

/// Error bodies carry a code, a safe message and allow-listed details: nothing of the server's internals.
@Suite("Error bodies", .timeLimit(.minutes(2)))
struct ErrorBodyTests {
    @Test func serverFailuresShowAFixedMessageAndNoDetails() {
        let error = ReactorError(.storage, "SQLite error 11 at /home/alice/.reactor/reactor.sqlite: database disk image is malformed",
                                 details: ["path": "/home/alice/.reactor/reactor.sqlite", "underlying": "SQLITE_CORRUPT",
                                           "sqliteMessage": "database disk image is malformed", "documentId": "d"])
        let body = HTTPErrorMapping.body(for: error)
        #expect(body == ["error": ["code": "STORAGE_ERROR", "message": "the server's storage failed; the server log has the details"]])
        let internalError = HTTPErrorMapping.body(for: ReactorError(.internal, "invariant broken in JobRunner.swift:12"))
        #expect(internalError["error"]?["message"] == "internal error; the server log has the details")
        // A 5xx whose message is written for clients keeps it (and still no internal details).
        let timeout = HTTPErrorMapping.body(for: ReactorError(.jobTimeout, "job 'j' ran longer than 30s", details: ["jobId": "j", "underlying": "x"]))
        #expect(timeout == ["error": ["code": "JOB_TIMEOUT", "message": "job 'j' ran longer than 30s", "details": ["jobId": "j"]]])
    }

    @Test func clientErrorsKeepOnlyTheirAllowListedDetails() {
        let conflict = ReactorError(.revisionConflict, "a concurrent writer appended to the stream", details: [
            "postgresDetail": "Key (document_id, scope, branch, idx)=(d, global, main, 3) already exists.",
            "constraint": "operations_stream_idx", "sqliteCode": "2067", "documentId": "d", "index": "3",
        ])
        #expect(HTTPErrorMapping.body(for: conflict) == ["error": [
            "code": "REVISION_CONFLICT", "message": "a concurrent writer appended to the stream",
            "details": ["documentId": "d", "index": "3"],
        ]])
        let input = ReactorError(.invalidInput, "expected a string", details: ["path": "actions[0].input.text", "underlying": "x"])
        #expect(HTTPErrorMapping.body(for: input) == ["error": ["code": "INVALID_INPUT", "message": "expected a string", "path": "actions[0].input.text"]])
    }

    /// A history too long to undo is the caller's to fix (422, with the limit and what to do), not a server failure.
    @Test func historyTooLongIsUnprocessableWithItsLimit() {
        let error = ReactorError(.historyTooLong, "the history has more than 40 operations: PRUNE it (start 0) first",
                                 details: ["scope": "global", "branch": "main", "limit": "40", "underlying": "x"])
        #expect(HTTPErrorMapping.status(for: error).code == 422)
        #expect(HTTPErrorMapping.body(for: error) == ["error": [
            "code": "HISTORY_TOO_LONG", "message": "the history has more than 40 operations: PRUNE it (start 0) first",
            "details": ["scope": "global", "branch": "main", "limit": "40"],
        ]])
    }

    /// A stored record that no longer parses is the server's failure (500 STORAGE_ERROR), not the caller's (400),
    /// and the answer names neither the file, nor SQLite, nor the stored bytes.
    @Test func aCorruptStoredRecordIsAServerErrorThatLeaksNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reactor-corrupt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("reactor.sqlite").path
        let store = try SQLiteStore(path: path)
        try await withTestServer(store: store) { client, _, _ in
            let created = try await client.call(.post, "/reactor/v1/documents?wait=true", json: ["documentType": "reactor/todo-list", "id": "d"])
            #expect(created.status == .created)
            let changed = try await client.call(.post, "/reactor/v1/documents/d/actions?wait=true", json: ["actions": [todoAction("1", text: "milk")]])
            #expect(changed.status == .ok)

            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "UPDATE operations SET input = '{\"secret-bytes\": ' WHERE action_type = 'ADD_TODO'")
            }

            let reply = try await client.call(.get, "/reactor/v1/documents/d/operations")
            #expect(reply.status == .internalServerError)
            #expect(reply.errorCode == "STORAGE_ERROR")
            for leak in [directory.path, "sqlite", "SQLite", "secret-bytes", "underlying", "byte "] {
                #expect(!reply.text.contains(leak), "the body names \(leak): \(reply.text)")
            }
        }
    }
}
