import ReactorCore

extension StoreConformance {
    /// Document loads in one call, headers read back after every kind of commit, and the relationship graph.
    static let loadCases: [ConformanceCase] = [
        ConformanceCase("loadDocument: header, revisions, keyframes, operations after them, initial states, branches") { try await loadDocument($0) },
        ConformanceCase("headers read back exactly after clock-only, full, inconsistent, failed and batched commits") { try await headerSequences($0) },
        ConformanceCase("graph: children, ancestors and orphans leave deleted documents out, walk cycles once, page") { try await graph($0) },
    ]

    static func loadDocument(_ store: any ReactorStore) async throws {
        try check(try await store.loadDocument(id: "nobody", branch: Branch.main) == nil, "an unknown document loads as nil")
        let g = F.stream("a"), d = F.stream("a", Scope.document)
        let gOps = F.operations(g, from: 0, count: 7)
        let dOps = F.operations(d, from: 0, count: 1)
        let initial = Keyframe(stream: g, index: -1, state: ["title": "start"], hash: "h-initial")
        let k2 = Keyframe(stream: g, index: 2, state: ["title": "two"], hash: "h2")
        var header = F.header("a", revision: [Scope.global: 5, Scope.document: 1])
        try await commitOK(store, Commit(
            header: header, createsDocument: true,
            appends: [StreamAppend(stream: d, expectedRevision: 0, operations: dOps), StreamAppend(stream: g, expectedRevision: 0, operations: Array(gOps[0..<5]))],
            keyframes: [initial, k2]), "create")
        header.revision = [Scope.global: 7, Scope.document: 1]
        header.lastModifiedAt = F.t0 + 7
        try await commitOK(store, Commit(header: header, appends: [StreamAppend(stream: g, expectedRevision: 5, operations: Array(gOps[5..<7]))]), "append")

        guard let loaded = try await store.loadDocument(id: "a", branch: Branch.main) else { throw ConformanceFailure("a did not load") }
        try check(loaded.header == header, "loaded header \(loaded.header), expected \(header)")
        try check(loaded.revisions == [Scope.global: 7, Scope.document: 1], "revisions \(loaded.revisions)")
        try check(Set(loaded.streams.keys) == [Scope.global, Scope.document], "streams \(loaded.streams.keys.sorted())")
        try check(loaded.streams[Scope.global] == StoredStream(stream: g, revision: 7, keyframe: k2, operations: Array(gOps[3..<7]), last: gOps[6]),
                  "global stream: keyframe \(loaded.streams[Scope.global]?.keyframe?.index ?? -9), \(loaded.streams[Scope.global]?.operations.count ?? -1) operations")
        try check(loaded.streams[Scope.document] == StoredStream(stream: d, revision: 1, keyframe: nil, operations: dOps, last: dOps[0]), "document stream")
        try check(loaded.initialStates == [Scope.global: initial], "initial states \(loaded.initialStates.keys.sorted())")

        // A keyframe at the tip: nothing to reduce, the last operation still read.
        let k6 = Keyframe(stream: g, index: 6, state: ["title": "six"], hash: "h6")
        try await commitOK(store, Commit(header: header, appends: [], keyframes: [k6]), "keyframe at the tip")
        let tip = try await store.loadDocument(id: "a", branch: Branch.main)?.streams[Scope.global]
        try check(tip == StoredStream(stream: g, revision: 7, keyframe: k6, operations: [], last: gOps[6]), "keyframe at the tip")

        // Another branch: its own streams, the home branch's document scope, the home branch's initial states.
        let dev = F.stream("a", branch: "dev")
        let devOps = F.operations(dev, from: 0, count: 2)
        try await commitOK(store, Commit(header: header, appends: [StreamAppend(stream: dev, expectedRevision: 0, operations: devOps)]), "dev")
        guard let onDev = try await store.loadDocument(id: "a", branch: "dev") else { throw ConformanceFailure("a did not load on dev") }
        try check(onDev.header == header, "the header on another branch is the stored one")
        try check(onDev.revisions == [Scope.global: 2], "dev revisions \(onDev.revisions)")
        try check(onDev.streams[Scope.global] == StoredStream(stream: dev, revision: 2, keyframe: nil, operations: devOps, last: devOps[1]), "dev global stream")
        try check(onDev.streams[Scope.document] == StoredStream(stream: d, revision: 1, keyframe: nil, operations: dOps, last: dOps[0]), "dev loads the home document scope")
        try check(onDev.initialStates == [Scope.global: initial], "dev falls back to the home branch's initial states")
        let devInitial = Keyframe(stream: dev, index: -1, state: ["title": "dev start"], hash: "h-dev")
        let localInitial = Keyframe(stream: F.stream("a", Scope.local), index: -1, state: ["n": 0], hash: "h-local")
        try await commitOK(store, Commit(header: header, appends: [], keyframes: [devInitial, localInitial]), "dev initial state")
        let devAgain = try await store.loadDocument(id: "a", branch: "dev")
        try check(devAgain?.initialStates == [Scope.global: devInitial, Scope.local: localInitial], "a branch's own initial state wins")
        try check(devAgain?.streams[Scope.global]?.keyframe == devInitial && devAgain?.streams[Scope.global]?.operations == devOps,
                  "the initial keyframe is where reducing starts")
        let none = try await store.loadDocument(id: "a", branch: "never")
        try check(none?.revisions == [:] && none.map { Set($0.streams.keys) } == [Scope.document], "a branch never written")
    }

    static func headerSequences(_ store: any ReactorStore) async throws {
        let g = F.stream("h"), l = F.stream("h", Scope.local)
        var header = F.header("h", slug: "h-slug", revision: [Scope.global: 1])
        func expect(_ context: String) async throws {
            let read = try await store.header(id: "h")
            try check(read == header, "\(context): header(id:) = \(read.map { "\($0.revision) at \($0.lastModifiedAt), '\($0.name)'" } ?? "nil"), expected \(header.revision) at \(header.lastModifiedAt), '\(header.name)'")
            let found = try await store.findHeaders(matching: DocumentQuery(ids: ["h"], includeDeleted: true), page: PageRequest())
            try check(found.items == [header], "\(context): findHeaders")
            try check(try await store.loadDocument(id: "h", branch: Branch.main)?.header == header, "\(context): loadDocument")
        }
        var next = [Scope.global: 0, Scope.local: 0]
        func append(_ stream: StreamID, _ count: Int = 1) -> StreamAppend {
            defer { next[stream.scope]! += count }
            return StreamAppend(stream: stream, expectedRevision: next[stream.scope]!, operations: F.operations(stream, from: next[stream.scope]!, count: count))
        }
        try await commitOK(store, Commit(header: header, createsDocument: true, appends: [append(g)]), "create")
        try await expect("after create")
        // Only the clock and revisions change, as a job writes them.
        for i in 1...3 {
            header.revision[Scope.global] = i + 1
            header.lastModifiedAt = F.t0 + Int64(i)
            try await commitOK(store, Commit(header: header, appends: [append(g)]), "clock \(i)")
            try await expect("after clock-only commit \(i)")
        }
        header.revision[Scope.local] = 2
        try await commitOK(store, Commit(header: header, appends: [append(l, 2)]), "new scope, same time")
        try await expect("after a new scope at the same time")
        // A commit that changes the name.
        header.name = "renamed"
        header.revision[Scope.global] = 5
        header.lastModifiedAt = F.t0 + 10
        try await commitOK(store, Commit(header: header, appends: [append(g)]), "rename")
        try await expect("after a rename")
        header.revision[Scope.global] = 6
        header.lastModifiedAt = F.t0 + 11
        try await commitOK(store, Commit(header: header, appends: [append(g)]), "clock after rename")
        try await expect("after a clock-only commit following a rename")
        // Revisions that do not follow the streams, and a clock going backwards, are stored as given.
        header.revision = [Scope.global: 1]
        try await commitOK(store, Commit(header: header, appends: [append(g)]), "inconsistent revisions")
        try await expect("after inconsistent revisions")
        header.revision = [Scope.global: 8, Scope.local: 2]
        header.lastModifiedAt = F.t0 + 5
        try await commitOK(store, Commit(header: header, appends: [append(g)]), "older clock")
        try await expect("after an older clock")
        header.revision[Scope.global] = 9
        header.lastModifiedAt = F.t0 + 12
        try await commitOK(store, Commit(header: header, appends: [append(g)]), "consistent again")
        try await expect("consistent again")
        // A new time without operations on the home branch, and a commit on another branch with the header as it is.
        header.lastModifiedAt = F.t0 + 13
        try await commitOK(store, Commit(header: header, appends: []), "clock without operations")
        try await expect("after a clock change without operations")
        let dev = F.stream("h", branch: "dev")
        try await commitOK(store, Commit(header: header, appends: [StreamAppend(stream: dev, expectedRevision: 0, operations: F.operations(dev, from: 0, count: 1))]), "dev")
        try await expect("after a commit on another branch")
        // A failed commit changes nothing; a batch with a failing commit keeps the others.
        var stale = header
        stale.revision[Scope.global] = 10
        stale.lastModifiedAt = F.t0 + 14
        try checkFailure(try await commitOne(store, Commit(header: stale, appends: [StreamAppend(stream: g, expectedRevision: 3, operations: F.operations(g, from: 3, count: 1))])),
                         .revisionConflict, "stale append")
        try await expect("after a failed commit")
        var first = header
        first.revision[Scope.global] = 10
        first.lastModifiedAt = F.t0 + 15
        var second = first
        second.revision[Scope.global] = 11
        second.lastModifiedAt = F.t0 + 16
        let firstAppend = append(g)
        let results = await store.commit([
            Commit(header: first, appends: [firstAppend]),
            Commit(header: stale, appends: [StreamAppend(stream: g, expectedRevision: 3, operations: F.operations(g, from: 3, count: 1))]),
            Commit(header: second, appends: [append(g)]),
        ])
        try check(results.count == 3, "batch results")
        _ = try checkSuccess(results[0], "batch first")
        try checkFailure(results[1], .revisionConflict, "batch stale")
        _ = try checkSuccess(results[2], "batch third")
        header = second
        try await expect("after a batch with a failing commit")
        // Deletion through the header.
        header.deletedAt = F.t0 + 20
        header.revision[Scope.global] = 12
        header.lastModifiedAt = F.t0 + 20
        try await commitOK(store, Commit(header: header, appends: [append(g)]), "delete")
        try await expect("after deletion")
    }

    static func graph(_ store: any ReactorStore) async throws {
        func child(_ s: String, _ t: String, _ type: String = Relationship.child) -> Relationship { Relationship(sourceID: s, targetID: t, type: type) }
        for id in ["r", "a", "b", "c", "d"] { try await commitOK(store, F.create(id), "create \(id)") }
        var deleted = F.create("x")
        deleted.header.deletedAt = F.t0 + 1
        try await commitOK(store, deleted, "create x, deleted")
        for id in ["y", "z"] { try await commitOK(store, F.create(id), "create \(id)") }
        for id in ["o1", "o2"] { try await commitOK(store, F.create(id, type: "other"), "create \(id)") }
        let edges: [String: [Relationship]] = [
            "r": [child("r", "a"), child("r", "b"), child("r", "x"), child("r", "ghost")],
            "a": [child("a", "c")], "b": [child("b", "c")], "c": [child("c", "d")], "d": [child("d", "a")],
            "x": [child("x", "y")], "o1": [child("o1", "o2", "link")],
        ]
        for (source, added) in edges.sorted(by: { $0.key < $1.key }) {
            var commit = F.append(source, at: 1)
            if source == "x" { commit.header.deletedAt = F.t0 + 1 }
            if source == "o1" { commit.header.documentType = "other" }
            commit.relationshipsAdded = added
            try await commitOK(store, commit, "relationships of \(source)")
        }
        try check(try await store.children(of: "r") == ["a", "b"], "children of r leave out the deleted and the unknown")
        try check(try await store.children(of: "x") == ["y"], "a deleted document still lists its live children")
        try check(try await store.children(of: "o1") == [], "other relationship types are not children")
        try check(try await store.children(of: "nobody") == [], "children of an unknown document")
        let ofD = try await store.ancestors(of: "d")
        try check(ofD == ["c", "a", "b", "r"], "ancestors of d: \(ofD)")
        let ofA = try await store.ancestors(of: "a")
        try check(ofA == ["d", "r", "c", "b"], "ancestors of a, on a cycle: \(ofA)")
        try check(try await store.ancestors(of: "y") == [], "a deleted parent is no ancestor")
        try check(try await store.ancestors(of: "r") == [], "a root has no ancestors")
        try check(try await store.ancestors(of: "nobody") == [], "ancestors of an unknown document")
        let cases: [(String?, [String])] = [(nil, ["r", "y", "z", "o1", "o2"]), ("other", ["o1", "o2"]), ("none", [])]
        for (type, expected) in cases {
            let all = try await store.orphans(documentType: type, page: PageRequest(limit: 100))
            try check(all.items == expected && all.nextCursor == nil, "orphans of \(type ?? "any type"): \(all.items)")
            for limit in [1, 2, 3] {
                let paged = try await allPages(limit: limit, "orphans by \(limit)") { try await store.orphans(documentType: type, page: $0) }
                try check(paged == expected, "orphans of \(type ?? "any type") paged by \(limit): \(paged)")
            }
        }
        // Deleting c cuts d off: d becomes an orphan with no ancestors, and a loses its child.
        var deleteC = F.append("c", at: 2)
        deleteC.header.deletedAt = F.t0 + 3
        try await commitOK(store, deleteC, "delete c")
        try check(try await store.children(of: "a") == [], "children of a after deleting c")
        try check(try await store.ancestors(of: "d") == [], "ancestors of d after deleting c")
        let ofAAfter = try await store.ancestors(of: "a")
        try check(ofAAfter == ["d", "r"], "ancestors of a after deleting c: \(ofAAfter)")
        let after = try await store.orphans(documentType: nil, page: PageRequest(limit: 100))
        try check(after.items == ["r", "d", "y", "z", "o1", "o2"], "orphans after deleting c: \(after.items)")
        try await checkThrows(.invalidArgument, "orphans with a bad cursor") {
            _ = try await store.orphans(documentType: nil, page: PageRequest(cursor: "not a cursor", limit: 10))
        }
    }
}
