#if Postgres
import Foundation
import PostgresNIO
import ReactorCore
import ReactorEngine
import ReactorModels
import ReactorPostgres
import ReactorTesting

/// `reactor-bench --only postgres`: single-action jobs/s on PostgreSQL with 1 and 2 nodes (each a reactor with its own
/// pool and job ledger, in this process) and 1 and 8 documents, side by side with raw single-row `INSERT`
/// transactions from 1 and 8 clients on the same server. The nodes announce their commits over LISTEN/NOTIFY, as the
/// server's do.
extension BenchCommand {
    func postgresBenchmarks(_ report: (String, String) -> Void) async throws {
        let url: String
        if let postgresURL { url = postgresURL } else { url = try await PostgresTestServer.shared() }
        let raw1 = try await rawPostgresInserts(url: url, clients: 1)
        report("raw PostgreSQL INSERT transactions, 1 client", rate(raw1))
        let raw8 = try await rawPostgresInserts(url: url, clients: 8)
        report("raw PostgreSQL INSERT transactions, 8 clients", rate(raw8))
        var oneNode: [Int: Double] = [:]
        for nodes in [1, 2] {
            for documents in [1, 8] {
                let perSecond = try await postgresJobsPerSecond(url: url, nodes: nodes, documents: documents)
                var line = rate(perSecond) + String(format: "  (%.2fx raw 1-client, %.2fx raw 8-client)", perSecond / raw1, perSecond / raw8)
                if nodes == 1 { oneNode[documents] = perSecond } else if let one = oneNode[documents] {
                    line += String(format: "  (%.2fx 1 node)", perSecond / one)
                }
                report("jobs to READ_READY, PostgreSQL, \(nodes) node\(nodes == 1 ? "" : "s"), \(documents) document\(documents == 1 ? "" : "s")", line)
            }
        }
    }

    /// Single-row `INSERT` transactions per second from `clients` connections.
    private func rawPostgresInserts(url: String, clients: Int) async throws -> Double {
        let configuration = try PostgresStoreConfiguration(url: url, schema: PostgresTestServer.uniqueName("benchraw"), poolSize: clients)
        let store = try PostgresStore(configuration: configuration)
        let count = postgresJobs
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            let table = "\"\(configuration.schema)\".raw"
            try await store.client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \"\(configuration.schema)\""))
            try await store.client.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)"))
            let payload = String(repeating: "x", count: 200)
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { inserts in
                for client in 0..<clients {
                    inserts.addTask {
                        for _ in stride(from: client, to: count, by: clients) {
                            try await store.client.query("INSERT INTO \(unescaped: table) (payload) VALUES (\(payload))")
                        }
                    }
                }
                try await inserts.waitForAll()
            }
            let seconds = Self.seconds(start.duration(to: .now))
            try await store.client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \"\(configuration.schema)\" CASCADE"))
            return Double(count) / seconds
        }
    }

    /// Single-action jobs to `READ_READY` per second: `nodes` reactors on one schema, `documents` documents (with 2
    /// nodes and 8 documents each node writes its own 4; with 1 document the jobs alternate between the nodes), jobs
    /// submitted by 8 concurrent clients.
    private func postgresJobsPerSecond(url: String, nodes: Int, documents: Int) async throws -> Double {
        let configuration = try PostgresStoreConfiguration(url: url, schema: PostgresTestServer.uniqueName("benchjobs"), poolSize: 8)
        let stores = try (0..<nodes).map { _ in try PostgresStore(configuration: configuration) }
        let jobs = postgresJobs
        let concurrency = self.concurrency
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.run() } }
            defer { group.cancelAll() }
            try await stores[0].migrate()
            var modules: [ReactorModule] = []
            for (i, store) in stores.enumerated() {
                let ledger = try PostgresJobLedger(store: store, configuration: PostgresJobLedgerConfiguration(nodeID: "bench-\(i)"))
                // Commit notices as the server sets them up (LISTEN/NOTIFY on the store's database): they wake other
                // nodes' followers and their jobs waiting for their turn.
                let notices = try PostgresPubSub(
                    client: store.client, configuration: .init(schema: configuration.schema, applicationName: "reactor-commit-notices"))
                group.addTask { try await notices.run() }
                modules.append(try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withStore(store)
                    .withJobLedger(ledger).withMigrationStrategy(.none)
                    .withCommitNotices(notices, channel: "reactor.commits:\(configuration.schema)")
                    .withExecutorConfig(ExecutorConfig(maxConcurrency: concurrency)).withRetainedFinishedJobs(jobs + documents + 10)
                    // Every job is submitted before most have run: measured with the queue full, not refused at its limits.
                    .withAdmissionLimits(.unlimited)
                    .buildModule())
            }
            let reactors = modules.map(\.reactor)
            for reactor in reactors { group.addTask { try await reactor.run() } }
            let ids = (0..<documents).map { "bench-\($0)" }
            for (d, id) in ids.enumerated() {
                let reactor = reactors[d % nodes]
                _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: id, documentType: TodoList.documentType)).id)
            }
            let start = ContinuousClock.now
            let clients = 8
            let submitted = try await withThrowingTaskGroup(of: [(Int, String)].self) { submitters in
                for client in 0..<clients {
                    submitters.addTask {
                        var out: [(Int, String)] = []
                        for n in stride(from: client, to: jobs, by: clients) {
                            let d = n % documents
                            let node = documents == 1 ? n % nodes : d % nodes
                            out.append((node, try await reactors[node].execute(ids[d], actions: [TodoList.setTitle("title \(n)")]).id))
                        }
                        return out
                    }
                }
                var all: [(Int, String)] = []
                for try await part in submitters { all += part }
                return all
            }
            for (node, id) in submitted { _ = try await reactors[node].waitForJob(id, timeout: .seconds(600)) }
            let seconds = Self.seconds(start.duration(to: .now))
            for reactor in reactors { await reactor.kill().completed() }
            try await stores[0].client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \"\(configuration.schema)\" CASCADE"))
            return Double(jobs) / seconds
        }
    }
}
#else
import ArgumentParser

extension BenchCommand {
    /// Built without the `Postgres` trait: nothing to measure (an error only when `--only` asked for it).
    func postgresBenchmarks(_ report: (String, String) -> Void) async throws {
        guard only == nil else {
            throw ValidationError("--only postgres needs the Postgres package trait, and this binary was built without it")
        }
        report("postgres", "skipped: this binary was built without the Postgres trait")
    }
}
#endif
