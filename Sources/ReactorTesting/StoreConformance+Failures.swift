import ReactorCore

extension StoreConformance {
    /// Commits that must fail with a typed error and store nothing.
    static let failureCases: [ConformanceCase] = [
        ConformanceCase("revision conflict stores nothing") { try await revisionConflict($0) },
        ConformanceCase("operation gap stores nothing") { try await operationGap($0) },
        ConformanceCase("duplicate operation id is a conflict naming the operation") { try await duplicateOperationID($0) },
        ConformanceCase("creating an existing document fails") { try await createTwice($0) },
        ConformanceCase("writing a missing document fails") { try await missingDocument($0) },
        ConformanceCase("slugs are unique, looked up and released") { try await slugs($0) },
        ConformanceCase("a failing commit in a batch fails alone") { try await batchMiddleFails($0) },
        ConformanceCase("multi-stream commit is atomic") { try await multiStreamAtomic($0) },
    ]

    static func revisionConflict(_ store: any ReactorStore) async throws {
        let id = "a"
        let g = F.stream(id), d = F.stream(id, Scope.document)
        var create = F.create(id, slug: "a", operations: 2)
        create.keyframes = [Keyframe(stream: g, index: 1, state: ["v": 1], hash: "k1")]
        create.relationshipsAdded = [Relationship(sourceID: id, targetID: "x")]
        try await commitOK(store, create, "create")
        let before = try await StoreSnapshot.take(store, documentIDs: [id, "x", "y"], streams: [g, d], slugs: ["a", "a-new"])

        for expected in [0, 1, 3, -1] {
            var commit = F.append(id, at: expected, header: F.header(id, slug: "a-new", name: "changed"))
            commit.keyframes = [Keyframe(stream: g, index: 5, state: ["v": 5], hash: "k5")]
            commit.relationshipsAdded = [Relationship(sourceID: id, targetID: "y")]
            commit.relationshipsRemoved = [Relationship(sourceID: id, targetID: "x")]
            let error = try checkFailure(try await commitOne(store, commit), .revisionConflict, "append expecting \(expected) at 2")
            try check(error.isTransient, "a revision conflict must be transient: \(error.debugDescription)")
            try check(error.details["operationId"] == nil, "a stream conflict must not name an operation")
            try check(try await StoreSnapshot.take(store, documentIDs: [id, "x", "y"], streams: [g, d], slugs: ["a", "a-new"]) == before,
                      "a commit failing with a revision conflict (expected \(expected)) changed the store")
        }

        // The conflict is in the second append: the first (valid) one is not stored either.
        let commit = Commit(header: F.header(id), appends: [
            StreamAppend(stream: d, expectedRevision: 0, operations: F.operations(d, from: 0, count: 1)),
            StreamAppend(stream: g, expectedRevision: 1, operations: F.operations(g, from: 1, count: 1)),
        ])
        try checkFailure(try await commitOne(store, commit), .revisionConflict, "second append conflicts")
        try check(try await StoreSnapshot.take(store, documentIDs: [id, "x", "y"], streams: [g, d], slugs: ["a", "a-new"]) == before,
                  "a commit whose second append conflicts changed the store")

        // A create whose append does not start at 0 creates nothing.
        var bad = F.create("b", slug: "b")
        bad.appends[0].expectedRevision = 1
        bad.appends[0].operations = F.operations(F.stream("b"), from: 1, count: 1)
        try checkFailure(try await commitOne(store, bad), .revisionConflict, "create expecting revision 1")
        try check(try await store.header(id: "b") == nil, "the failed create left a header")
        try check(try await store.documentID(forSlug: "b") == nil, "the failed create left a slug")
    }

    static func operationGap(_ store: any ReactorStore) async throws {
        let id = "a"
        let g = F.stream(id)
        try await commitOK(store, F.create(id, operations: 2), "create")
        let before = try await StoreSnapshot.take(store, documentIDs: [id], streams: [g])
        let cases: [(String, [ReactorCore.Operation])] = [
            ("hole", [F.operation(g, 2), F.operation(g, 4)]),
            ("late start", [F.operation(g, 3)]),
            ("repeat", [F.operation(g, 2), F.operation(g, 2)]),
            ("backwards", [F.operation(g, 2), F.operation(g, 1)]),
        ]
        for (name, ops) in cases {
            var commit = Commit(header: F.header(id, name: "changed"), appends: [StreamAppend(stream: g, expectedRevision: 2, operations: ops)])
            commit.keyframes = [Keyframe(stream: g, index: 2, state: [:], hash: "k")]
            try checkFailure(try await commitOne(store, commit), .operationGap, "gap (\(name))")
            try check(try await StoreSnapshot.take(store, documentIDs: [id], streams: [g]) == before, "a commit with a gap (\(name)) changed the store")
        }
    }

    static func duplicateOperationID(_ store: any ReactorStore) async throws {
        let a = F.stream("a"), b = F.stream("b")
        let receipt = try await commitOK(store, F.create("a", operations: 1), "create a")
        let stored = receipt.records[0].operation
        let before = try await StoreSnapshot.take(store, documentIDs: ["a", "b"], streams: [a, b])

        // Re-delivery to the same stream at the next index.
        var redelivered = stored
        redelivered.index = 1
        let e1 = try checkFailure(
            try await commitOne(store, Commit(header: F.header("a"), appends: [StreamAppend(stream: a, expectedRevision: 1, operations: [redelivered])])),
            .revisionConflict, "re-delivered operation")
        try check(e1.details["operationId"] == stored.id, "details[operationId] is \(e1.details["operationId"] ?? "nil"), expected \(stored.id)")

        // The same id in another document.
        var elsewhere = stored
        elsewhere.index = 0
        let e2 = try checkFailure(
            try await commitOne(store, Commit(header: F.header("b"), createsDocument: true, appends: [StreamAppend(stream: b, expectedRevision: 0, operations: [elsewhere])])),
            .revisionConflict, "operation id stored in another document")
        try check(e2.details["operationId"] == stored.id, "details[operationId] names the operation (other document)")
        try check(try await StoreSnapshot.take(store, documentIDs: ["a", "b"], streams: [a, b]) == before, "a duplicate operation id changed the store")

        // The same id twice in one commit.
        let fresh = F.operation(a, 1)
        var twin = fresh
        twin.index = 2
        let e3 = try checkFailure(
            try await commitOne(store, Commit(header: F.header("a"), appends: [StreamAppend(stream: a, expectedRevision: 1, operations: [fresh, twin])])),
            .revisionConflict, "one id twice in a commit")
        try check(e3.details["operationId"] == fresh.id, "details[operationId] names the operation (twice in a commit)")
        try check(try await StoreSnapshot.take(store, documentIDs: ["a", "b"], streams: [a, b]) == before, "an id twice in a commit changed the store")
        try check(try await store.existingOperationIDs([fresh.id]).isEmpty, "the rejected operation is stored")
    }

    static func createTwice(_ store: any ReactorStore) async throws {
        try await commitOK(store, F.create("a", slug: "first", operations: 1), "create")
        let before = try await StoreSnapshot.take(store, documentIDs: ["a"], streams: [F.stream("a")], slugs: ["first", "second"])
        let again = F.create("a", slug: "second", operations: 1)
        let error = try checkFailure(try await commitOne(store, again), .documentExists, "second create")
        try check(!error.isTransient, "DOCUMENT_EXISTS is permanent")
        try check(try await StoreSnapshot.take(store, documentIDs: ["a"], streams: [F.stream("a")], slugs: ["first", "second"]) == before,
                  "a failed create changed the store")
        // Even when the slug is the one the document already has.
        try checkFailure(try await commitOne(store, F.create("a", slug: "first")), .documentExists, "create with the same slug")
    }

    static func missingDocument(_ store: any ReactorStore) async throws {
        var commit = F.append("ghost", at: 0)
        commit.keyframes = [Keyframe(stream: F.stream("ghost"), index: 0, state: [:], hash: "k")]
        commit.relationshipsAdded = [Relationship(sourceID: "ghost", targetID: "x")]
        commit.header.slug = "ghost-slug"
        let error = try checkFailure(try await commitOne(store, commit), .documentNotFound, "append to a missing document")
        try check(error.details["documentId"] == "ghost", "details[documentId]")
        let after = try await StoreSnapshot.take(store, documentIDs: ["ghost", "x"], streams: [F.stream("ghost")], slugs: ["ghost-slug"])
        try check(after == StoreSnapshot(
            headers: ["ghost": nil, "x": nil], revisions: ["ghost": [:], "x": [:]], feed: [], latestOrdinal: 0,
            keyframes: [F.stream("ghost"): nil], outgoing: ["ghost": [], "x": []], incoming: ["ghost": [], "x": []],
            slugs: ["ghost-slug": nil], headerPage: []), "a commit to a missing document stored something: \(after)")
    }

    static func slugs(_ store: any ReactorStore) async throws {
        try await commitOK(store, F.create("a", slug: "alpha"), "create a")
        try check(try await store.documentID(forSlug: "alpha") == "a", "lookup alpha")
        try check(try await store.documentID(forSlug: "nope") == nil, "lookup of an unknown slug")

        let taken = try checkFailure(try await commitOne(store, F.create("b", slug: "alpha")), .slugTaken, "create b with a's slug")
        try check(taken.details["slug"] == "alpha", "details[slug]")
        try check(try await store.header(id: "b") == nil, "b was created despite SLUG_TAKEN")

        try await commitOK(store, F.create("b", slug: "beta"), "create b")
        try checkFailure(try await commitOne(store, F.append("b", at: 1, header: F.header("b", slug: "alpha"))), .slugTaken, "b takes alpha")
        try check(try await store.header(id: "b")?.slug == "beta", "b's slug changed despite SLUG_TAKEN")
        try check(try await store.operations(in: F.stream("b"), fromIndex: 0, limit: nil).count == 1, "b's operation was stored despite SLUG_TAKEN")

        // Keeping one's own slug is fine; changing it releases the old one.
        try await commitOK(store, F.append("a", at: 1, header: F.header("a", slug: "alpha")), "a keeps alpha")
        try await commitOK(store, F.append("a", at: 2, header: F.header("a", slug: "alpha-2")), "a renames its slug")
        try check(try await store.documentID(forSlug: "alpha") == nil, "alpha was not released")
        try check(try await store.documentID(forSlug: "alpha-2") == "a", "lookup alpha-2")
        try await commitOK(store, F.append("b", at: 1, header: F.header("b", slug: "alpha")), "b takes the released alpha")
        try check(try await store.documentID(forSlug: "alpha") == "b", "alpha now names b")
        try check(try await store.documentID(forSlug: "beta") == nil, "beta was not released")

        // Dropping the slug releases it too.
        try await commitOK(store, F.append("a", at: 3, header: F.header("a", slug: nil)), "a drops its slug")
        try check(try await store.documentID(forSlug: "alpha-2") == nil, "alpha-2 was not released")
        try await commitOK(store, F.create("c", slug: "alpha-2"), "c takes alpha-2")
        try check(try await store.documentID(forSlug: "alpha-2") == "c", "alpha-2 names c")
        let page = try await store.findHeaders(matching: DocumentQuery(slugs: ["alpha", "alpha-2", "beta"]), page: PageRequest())
        try check(page.items.map(\.id) == ["b", "c"], "findHeaders by slug: \(page.items.map(\.id))")
    }

    static func batchMiddleFails(_ store: any ReactorStore) async throws {
        let results = await store.commit([F.create("a"), F.append("missing", at: 0), F.create("c")])
        try check(results.count == 3, "\(results.count) results")
        let first = try checkSuccess(results[0], "first")
        try checkFailure(results[1], .documentNotFound, "middle")
        let third = try checkSuccess(results[2], "third")
        try check(third.records[0].ordinal > first.records[0].ordinal, "ordinals follow commit order")
        try check(try await store.header(id: "a") != nil, "first not stored")
        try check(try await store.header(id: "c") != nil, "third not stored")
        try check(try await store.header(id: "missing") == nil, "middle stored")
        try check(try await store.operations(afterOrdinal: 0, limit: 10).map(\.stream.documentID) == ["a", "c"], "feed")

        // A conflicting middle commit in the same stream.
        let again = await store.commit([F.append("a", at: 1), F.append("a", at: 1), F.append("a", at: 2)])
        try checkSuccess(again[0], "first append")
        try checkFailure(again[1], .revisionConflict, "stale middle append")
        try checkSuccess(again[2], "third append")
        try check(try await store.operations(in: F.stream("a"), fromIndex: 0, limit: nil).map(\.index) == [0, 1, 2], "stream a")
    }

    static func multiStreamAtomic(_ store: any ReactorStore) async throws {
        let id = "doc"
        let d = F.stream(id, Scope.document), g = F.stream(id)
        try await commitOK(store, F.create(id, operations: 2), "create")
        let before = try await StoreSnapshot.take(store, documentIDs: [id], streams: [d, g])
        let commit = Commit(header: F.header(id, name: "changed"), appends: [
            StreamAppend(stream: d, expectedRevision: 0, operations: F.operations(d, from: 0, count: 2)),
            StreamAppend(stream: g, expectedRevision: 2, operations: [F.operation(g, 2), F.operation(g, 5)]),
        ])
        try checkFailure(try await commitOne(store, commit), .operationGap, "document + global with a gap in global")
        try check(try await StoreSnapshot.take(store, documentIDs: [id], streams: [d, g]) == before, "the document stream was stored alone")
    }
}
