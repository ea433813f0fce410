import ReactorCore

extension StoreConformance {
    /// Concurrent writers racing on one stream or one document.
    static let concurrencyCases: [ConformanceCase] = [
        ConformanceCase("race: concurrent appends at one revision, exactly one wins") { try await appendRace($0) },
        ConformanceCase("race: concurrent creates of one document, exactly one wins") { try await createRace($0) },
        ConformanceCase("concurrent commits to different documents all succeed, each commit's ordinals unbroken by others") {
            try await concurrentDocuments($0)
        },
    ]

    /// Two commits at once, each on its own task; returns both results.
    static func race(_ store: any ReactorStore, _ first: Commit, _ second: Commit) async -> [Result<CommitReceipt, ReactorError>] {
        await withTaskGroup(of: Result<CommitReceipt, ReactorError>.self) { group in
            for commit in [first, second] {
                group.addTask {
                    await store.commit([commit]).first ?? .failure(ReactorError(.internal, "no result"))
                }
            }
            var out: [Result<CommitReceipt, ReactorError>] = []
            for await result in group { out.append(result) }
            return out
        }
    }

    static func appendRace(_ store: any ReactorStore) async throws {
        for i in 0..<50 {
            let id = "race-\(i)"
            let revision = i % 3
            try await commitOK(store, F.create(id, operations: revision), "create \(id)")
            // Even rounds race on the existing global stream, odd rounds on a stream that does not exist yet.
            let stream = i.isMultiple(of: 2) ? F.stream(id) : F.stream(id, "race-scope")
            let expected = i.isMultiple(of: 2) ? revision : 0
            func contender() -> Commit {
                Commit(header: F.header(id), appends: [StreamAppend(stream: stream, expectedRevision: expected, operations: F.operations(stream, from: expected, count: 1 + i % 2))])
            }
            let results = await race(store, contender(), contender())
            let winners = results.filter { if case .success = $0 { true } else { false } }
            try check(winners.count == 1, "round \(i): \(winners.count) of 2 racing commits succeeded")
            for case .failure(let error) in results {
                try check(error.code == .revisionConflict && error.isTransient, "round \(i): the loser failed with \(error.debugDescription)")
            }
            let ops = try await store.operations(in: stream, fromIndex: 0, limit: nil)
            let count = expected + 1 + i % 2
            try check(ops.map(\.index) == Array(0..<count), "round \(i): stream indices \(ops.map(\.index)), expected 0..<\(count)")
            try check(Set(ops.map(\.id)).count == ops.count, "round \(i): duplicate operation ids")
            try check(try await store.revisions(documentID: id, branch: Branch.main)[stream.scope] == count, "round \(i): revision")
        }
    }

    static func createRace(_ store: any ReactorStore) async throws {
        for i in 0..<20 {
            let id = "created-\(i)"
            let results = await race(store, F.create(id, slug: "slug-\(i)"), F.create(id, slug: "slug-\(i)"))
            let winners = results.filter { if case .success = $0 { true } else { false } }
            try check(winners.count == 1, "round \(i): \(winners.count) of 2 racing creates succeeded")
            for case .failure(let error) in results {
                try check(error.code == .documentExists, "round \(i): the losing create failed with \(error.debugDescription)")
            }
            try check(try await store.operations(in: F.stream(id), fromIndex: 0, limit: nil).count == 1, "round \(i): operations")
        }
    }

    static func concurrentDocuments(_ store: any ReactorStore) async throws {
        let count = 40
        let receipts = try await withThrowingTaskGroup(of: CommitReceipt.self) { group in
            for i in 0..<count {
                group.addTask { try await store.commit(F.create("doc-\(i)", operations: 2)) }
            }
            var out: [CommitReceipt] = []
            for try await receipt in group { out.append(receipt) }
            return out
        }
        let ordinals = receipts.flatMap { $0.records.map(\.ordinal) }
        try check(Set(ordinals).count == 2 * count, "ordinals are not distinct")
        for receipt in receipts {
            try check(receipt.records[1].ordinal > receipt.records[0].ordinal, "ordinals within a commit do not increase")
        }
        let feed = try await store.operations(afterOrdinal: 0, limit: 1_000)
        try check(feed.map(\.ordinal) == ordinals.sorted(), "the feed does not list every ordinal in order")
        try check(zip(feed, feed.dropFirst()).allSatisfy { $0.ordinal < $1.ordinal }, "feed order")
        // One commit's operations are one run of the feed (sync ships a job's operations together, never split).
        for receipt in receipts {
            let own = Set(receipt.records.map(\.ordinal))
            guard let first = own.min(), let last = own.max() else { continue }
            let between = feed.filter { $0.ordinal >= first && $0.ordinal <= last }
            try check(between.allSatisfy { own.contains($0.ordinal) }, "another commit's operation lies between the ordinals of one commit")
        }
    }
}
