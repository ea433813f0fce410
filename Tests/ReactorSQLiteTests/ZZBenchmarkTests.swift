import Foundation
import GRDB
import ReactorCore
import ReactorSQLite
import Testing

@Suite("Bench") struct ZZBenchmarkTests {
    @Test func bench() async throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.url, withIntermediateDirectories: true)
        defer { dir.remove() }
        let n = 5_000
        // Raw
        var config = Configuration()
        config.busyMode = .timeout(5)
        let pool = try DatabasePool(path: dir.path("raw.sqlite"), configuration: config)
        try await pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE, v TEXT NOT NULL)") }
        var t0 = Clock.monotonicNanoseconds()
        for i in 0..<n {
            try await pool.write { db in try db.cachedStatement(sql: "INSERT INTO t (k, v) VALUES (?, ?)").execute(arguments: ["key-\(i)", "{\"value\":\(i)}"]) }
        }
        let raw = Double(Clock.monotonicNanoseconds() - t0) / Double(n) / 1000
        try pool.close()

        let store = try SQLiteStore(path: dir.path("store.sqlite"))
        try await store.migrate()
        let docs = 100
        for d in 0..<docs { _ = try await store.commit(SQLiteStoreTests.create("doc-\(d)", count: 0)) }
        t0 = Clock.monotonicNanoseconds()
        for i in 0..<n {
            let d = i % docs
            _ = try await store.commit(SQLiteStoreTests.append("doc-\(d)", at: i / docs))
        }
        let seq = Double(Clock.monotonicNanoseconds() - t0) / Double(n) / 1000

        // Concurrent: `docs` jobs in flight, each appending to its own document.
        let rounds = 50
        t0 = Clock.monotonicNanoseconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for d in 0..<docs {
                group.addTask {
                    for r in 0..<rounds { _ = try await store.commit(SQLiteStoreTests.append("doc-\(d)", at: n / docs + r)) }
                }
            }
            try await group.waitForAll()
        }
        let conc = Double(Clock.monotonicNanoseconds() - t0) / Double(docs * rounds) / 1000

        t0 = Clock.monotonicNanoseconds()
        var read = 0
        for d in 0..<docs { read += try await store.operations(in: StreamID(documentID: "doc-\(d)", scope: Scope.global), fromIndex: 0, limit: nil).count }
        let readPerOp = Double(Clock.monotonicNanoseconds() - t0) / Double(read) / 1000
        print("BENCH raw insert txn: \(raw) µs; store sequential commit: \(seq) µs; store concurrent commit (100 in flight): \(conc) µs/commit; read: \(readPerOp) µs/op")
        try await store.close()
    }
}
