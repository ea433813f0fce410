import ReactorCore

extension StoreConformance {
    typealias F = StoreFixture

    /// Successful writes read back exactly.
    static let writeCases: [ConformanceCase] = [
        ConformanceCase("create and read back exactly") { try await createAndReadBack($0) },
        ConformanceCase("appends continue indices") { try await appendsContinueIndices($0) },
        ConformanceCase("header is replaced by every commit") { try await headerReplaced($0) },
        ConformanceCase("commits without appends") { try await commitsWithoutAppends($0) },
        ConformanceCase("an empty append checks the revision and adds no stream") { try await emptyAppends($0) },
        ConformanceCase("empty commit list") { store in
            let results = await store.commit([])
            try check(results.isEmpty, "commit([]) returned \(results.count) results")
        },
        ConformanceCase("batch: each commit sees the earlier ones") { try await batchSeesEarlierCommits($0) },
        ConformanceCase("multi-stream commit is stored together") { try await multiStreamCommit($0) },
    ]

    static func createAndReadBack(_ store: any ReactorStore) async throws {
        let id = "doc-1"
        let g = F.stream(id), d = F.stream(id, Scope.document), l = F.stream(id, Scope.local)
        let signer = SignerInfo(algorithm: .ed25519, publicKey: "cHVibGljLWtleQ==", name: "Zoë")
        let context = ActionContext(signer: signer, signatures: [
            ActionSignature(algorithm: .ed25519, publicKey: "cHVibGljLWtleQ==", signature: "c2lnbmF0dXJl"),
            ActionSignature(algorithm: .p256, publicKey: "a2V5", signature: "c2lnMg=="),
        ])
        let unsignedContext = ActionContext(signer: SignerInfo(algorithm: .p256, publicKey: "QQ=="), signatures: [])
        let unicode: JSONValue = [
            "text": "héllo wörld 🌍 日本語 \u{0}\u{1F}\n\t\"quoted\" \\ back/slash",
            "ключ": [1, -2.5, 1e-7, 9_007_199_254_740_991, 3.141592653589793, true, false, nil, ["nested": ["deep": "✓"]]],
            "empty": [:], "list": [], "": "empty key",
        ]
        let documentOps = [F.operation(d, 0, type: "CREATE", input: ["model": "reactor/conformance", "version": 1], context: context)]
        let globalOps = [
            F.operation(g, 0, type: "SET", input: unicode, timestamp: F.t0 + 5, context: context),
            F.operation(g, 1, type: "FAIL", input: ["x": 1], error: "reducer failed: ✗ «bad»"),
            F.operation(g, 2, type: "UNDO", input: nil, skip: 1, context: unsignedContext),
        ]
        let localOps = [F.operation(l, 0, type: "NOTE", input: "just a string")]
        let header = F.header(
            id, slug: "first-doc", name: "Ünïcode näme ✓", revision: [Scope.document: 1, Scope.global: 3, Scope.local: 1],
            meta: ["origin": "test", "n": 42, "ok": true, "nested": ["a": [1, 2, nil]]], signer: signer)
        let keyframes = [
            Keyframe(stream: g, index: -1, state: ["initial": true], hash: "h-initial"),
            Keyframe(stream: g, index: 2, state: unicode, hash: "h-2"),
        ]
        let relationship = Relationship(sourceID: id, targetID: "other", type: Relationship.child)
        let commit = Commit(
            header: header, createsDocument: true,
            appends: [
                StreamAppend(stream: d, expectedRevision: 0, operations: documentOps),
                StreamAppend(stream: g, expectedRevision: 0, operations: globalOps),
                StreamAppend(stream: l, expectedRevision: 0, operations: localOps),
            ],
            keyframes: keyframes, relationshipsAdded: [relationship])
        let receipt = try await commitOK(store, commit, "create")

        let all = documentOps.map { (d, $0) } + globalOps.map { (g, $0) } + localOps.map { (l, $0) }
        try check(receipt.records.count == all.count, "receipt has \(receipt.records.count) records, expected \(all.count)")
        var lastOrdinal: Int64 = 0
        for (record, (stream, op)) in zip(receipt.records, all) {
            try check(record.stream == stream, "record stream \(record.stream) != \(stream)")
            try check(record.operation == op, "record operation differs: \(record.operation) != \(op)")
            try check(record.documentType == F.documentType, "record documentType '\(record.documentType)'")
            try check(record.ordinal > lastOrdinal, "ordinal \(record.ordinal) does not increase (after \(lastOrdinal))")
            lastOrdinal = record.ordinal
        }

        try check(try await store.header(id: id) == header, "header does not read back exactly")
        try check(try await store.documentID(forSlug: "first-doc") == id, "slug lookup failed")
        let revisions = try await store.revisions(documentID: id, branch: Branch.main)
        try check(revisions == [Scope.document: 1, Scope.global: 3, Scope.local: 1], "revisions \(revisions)")
        try check(try await store.revisions(documentID: id, branch: "other-branch").isEmpty, "revisions of another branch are not empty")
        try check(try await store.operations(in: d, fromIndex: 0, limit: nil) == documentOps, "document stream differs")
        let readGlobal = try await store.operations(in: g, fromIndex: 0, limit: nil)
        try check(readGlobal == globalOps, "global stream differs:\n\(readGlobal)\n!=\n\(globalOps)")
        for (read, written) in zip(readGlobal, globalOps) {
            try check(read.action.context == written.action.context, "context differs")
            try check(read.action.input == written.action.input, "input differs")
            try check(read.error == written.error && read.skip == written.skip, "error/skip differ")
        }
        try check(try await store.operations(in: l, fromIndex: 0, limit: nil) == localOps, "local stream differs")
        let feed = try await store.operations(afterOrdinal: 0, limit: 100)
        try check(feed == receipt.records, "the ordinal feed differs from the receipt")
        try check(try await store.latestOrdinal() == lastOrdinal, "latestOrdinal")
        try check(try await store.latestKeyframe(of: g, atOrBefore: nil) == keyframes[1], "latest keyframe")
        try check(try await store.latestKeyframe(of: g, atOrBefore: 1) == keyframes[0], "initial keyframe")
        try check(try await store.relationships(from: id, type: nil) == [relationship], "relationships from")
        try check(try await store.relationships(to: "other", type: Relationship.child) == [relationship], "relationships to")
        let found = try await store.findHeaders(matching: DocumentQuery(), page: PageRequest())
        try check(found.items == [header] && found.nextCursor == nil, "findHeaders: \(found.items)")
    }

    static func appendsContinueIndices(_ store: any ReactorStore) async throws {
        let id = "doc"
        let g = F.stream(id)
        try await commitOK(store, F.create(id, operations: 2), "create")
        let second = try await commitOK(store, F.append(id, at: 2, count: 3), "append at 2")
        try check(second.records.map(\.operation.index) == [2, 3, 4], "indices \(second.records.map(\.operation.index))")
        try await commitOK(store, F.append(id, at: 5), "append at 5")
        let ops = try await store.operations(in: g, fromIndex: 0, limit: nil)
        try check(ops.map(\.index) == Array(0...5), "stream indices \(ops.map(\.index))")
        try check(Set(ops.map(\.id)).count == 6, "operation ids are not unique")
        try check(try await store.revisions(documentID: id, branch: Branch.main) == [Scope.global: 6], "revision")
        try check(try await store.operations(in: g, fromIndex: 3, limit: 2).map(\.index) == [3, 4], "range read")
    }

    static func headerReplaced(_ store: any ReactorStore) async throws {
        let id = "doc"
        try await commitOK(store, F.create(id, slug: "s"), "create")
        var header = F.header(id, slug: "s", name: "two", revision: [Scope.global: 2], meta: ["k": ["v", 2]], deletedAt: F.t0 + 99)
        header.lastModifiedAt = F.t0 + 100
        header.modelVersion = 2
        try await commitOK(store, F.append(id, at: 1, header: header), "append with new header")
        try check(try await store.header(id: id) == header, "header was not replaced")
        try check(try await store.documentID(forSlug: "s") == id, "slug kept")
    }

    static func commitsWithoutAppends(_ store: any ReactorStore) async throws {
        let receipt = try await commitOK(store, Commit(header: F.header("a", name: "one"), createsDocument: true, appends: []), "create without appends")
        try check(receipt.records.isEmpty, "records of a commit without operations")
        try check(try await store.revisions(documentID: "a", branch: Branch.main).isEmpty, "revisions of a document without operations")
        let renamed = F.header("a", name: "two")
        try check(try await commitOK(store, Commit(header: renamed, appends: []), "header-only commit").records.isEmpty, "records")
        try check(try await store.header(id: "a") == renamed, "header-only commit did not replace the header")
        try check(try await store.latestOrdinal() == 0, "latestOrdinal without operations")
    }

    static func emptyAppends(_ store: any ReactorStore) async throws {
        let g = F.stream("a"), l = F.stream("a", Scope.local)
        try await commitOK(store, Commit(header: F.header("a"), createsDocument: true, appends: [StreamAppend(stream: g, expectedRevision: 0, operations: [])]), "create with an empty append")
        try check(try await store.revisions(documentID: "a", branch: Branch.main).isEmpty, "an empty append created a stream")
        try await commitOK(store, F.append("a", at: 0, count: 2), "append")
        try await commitOK(store, Commit(header: F.header("a"), appends: [
            StreamAppend(stream: g, expectedRevision: 2, operations: []), StreamAppend(stream: l, expectedRevision: 0, operations: []),
        ]), "empty appends at the current revisions")
        try check(try await store.revisions(documentID: "a", branch: Branch.main) == [Scope.global: 2], "revisions after empty appends")
        for (stream, expected) in [(g, 1), (g, 3), (l, 1)] {
            let error = try checkFailure(
                try await commitOne(store, Commit(header: F.header("a"), appends: [StreamAppend(stream: stream, expectedRevision: expected, operations: [])])),
                .revisionConflict, "empty append to \(stream) expecting \(expected)")
            try check(error.isTransient, "a revision conflict is transient")
        }
        try check(try await store.operations(in: g, fromIndex: 0, limit: nil).count == 2, "operations")
    }

    static func batchSeesEarlierCommits(_ store: any ReactorStore) async throws {
        let results = await store.commit([F.create("a"), F.append("a", at: 1), F.append("a", at: 2, count: 2), F.append("a", at: 2)])
        try check(results.count == 4, "\(results.count) results")
        try checkSuccess(results[0], "create")
        try checkSuccess(results[1], "append at 1")
        try checkSuccess(results[2], "append at 2")
        let error = try checkFailure(results[3], .revisionConflict, "stale append in the same batch")
        try check(error.isTransient, "a revision conflict is transient")
        try check(try await store.operations(in: F.stream("a"), fromIndex: 0, limit: nil).map(\.index) == [0, 1, 2, 3], "indices")
    }

    static func multiStreamCommit(_ store: any ReactorStore) async throws {
        let id = "doc"
        let d = F.stream(id, Scope.document), g = F.stream(id)
        let receipt = try await commitOK(store, Commit(
            header: F.header(id), createsDocument: true,
            appends: [
                StreamAppend(stream: d, expectedRevision: 0, operations: F.operations(d, from: 0, count: 1)),
                StreamAppend(stream: g, expectedRevision: 0, operations: F.operations(g, from: 0, count: 2)),
            ]), "create in two streams")
        try check(receipt.records.map(\.stream) == [d, g, g], "receipt streams")
        try check(try await store.revisions(documentID: id, branch: Branch.main) == [Scope.document: 1, Scope.global: 2], "revisions")
        try await commitOK(store, Commit(
            header: F.header(id),
            appends: [
                StreamAppend(stream: d, expectedRevision: 1, operations: F.operations(d, from: 1, count: 1)),
                StreamAppend(stream: g, expectedRevision: 2, operations: F.operations(g, from: 2, count: 1)),
            ]), "append to two streams")
        try check(try await store.revisions(documentID: id, branch: Branch.main) == [Scope.document: 2, Scope.global: 3], "revisions after append")
    }
}
