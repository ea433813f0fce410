import ReactorCore

extension StoreConformance {
    /// The operation log read by stream, by document query and by ordinal; keyframes.
    static let readCases: [ConformanceCase] = [
        ConformanceCase("ordinals increase in commit order and the feed pages through everything") { try await ordinalFeed($0) },
        ConformanceCase("latest ordinal") { try await latestOrdinal($0) },
        ConformanceCase("the feed through a committed ordinal; the complete ordinal") { try await feedThrough($0) },
        ConformanceCase("existing operation ids") { try await existingOperationIDs($0) },
        ConformanceCase("operations of a stream by range") { try await streamRanges($0) },
        ConformanceCase("the last operation of a stream at or before a time") { try await lastOperationAtTime($0) },
        ConformanceCase("operations matching a query, every filter, paged") { try await operationQueries($0) },
        ConformanceCase("invalid page limit or cursor is INVALID_ARGUMENT") { try await invalidPaging($0) },
        ConformanceCase("keyframes: latest at or before an index") { try await keyframes($0) },
    ]

    static func ordinalFeed(_ store: any ReactorStore) async throws {
        var records: [OperationRecord] = []
        for i in 0..<5 { records += try await commitOK(store, F.create("d\(i)", operations: i % 3), "create d\(i)").records }
        for round in 0..<3 {
            for i in 0..<5 {
                records += try await commitOK(store, F.append("d\(i)", at: i % 3 + round * 2, count: 2), "append d\(i)").records
            }
        }
        try check(zip(records, records.dropFirst()).allSatisfy { $0.ordinal < $1.ordinal }, "ordinals do not increase in commit order")
        for limit in [1, 3, 7, 1_000] {
            var read: [OperationRecord] = []
            var after: Int64 = 0
            while true {
                let page = try await store.operations(afterOrdinal: after, limit: limit)
                try check(page.count <= limit, "feed page larger than the limit")
                guard let last = page.last else { break }
                read += page
                after = last.ordinal
            }
            try check(read == records, "paging the feed by \(limit) gave \(read.count) records, not the \(records.count) written")
        }
        let middle = records[records.count / 2].ordinal
        try check(try await store.operations(afterOrdinal: middle, limit: 1_000) == records.filter { $0.ordinal > middle }, "feed after a middle ordinal")
        try check(try await store.operations(afterOrdinal: records.last!.ordinal, limit: 10).isEmpty, "feed after the last ordinal")
        try check(try await store.operations(afterOrdinal: 0, limit: 0).isEmpty, "feed with limit 0")
    }

    static func latestOrdinal(_ store: any ReactorStore) async throws {
        try check(try await store.latestOrdinal() == 0, "latestOrdinal of an empty store")
        let a = try await commitOK(store, F.create("a", operations: 3), "create")
        try check(try await store.latestOrdinal() == a.records.last!.ordinal, "latestOrdinal after create")
        try checkFailure(try await commitOne(store, F.append("a", at: 0)), .revisionConflict, "conflict")
        try check(try await store.latestOrdinal() == a.records.last!.ordinal, "latestOrdinal after a failed commit")
        let b = try await commitOK(store, F.append("a", at: 3, count: 2), "append")
        try check(try await store.latestOrdinal() == b.records.last!.ordinal, "latestOrdinal after append")
    }

    /// `operations(afterOrdinal:through:limit:)` returns everything up to a committed ordinal (waiting, in a store
    /// whose feed may lag its commits), nothing beyond it; `completeOrdinal()` never passes `latestOrdinal()`.
    static func feedThrough(_ store: any ReactorStore) async throws {
        let a = try await commitOK(store, F.create("a", operations: 3), "create")
        let b = try await commitOK(store, F.append("a", at: 3, count: 2), "append")
        let first = a.records.last!.ordinal
        try check(try await store.operations(afterOrdinal: 0, through: first, limit: 100) == a.records, "the feed through the create")
        try check(try await store.operations(afterOrdinal: first, through: b.records.last!.ordinal, limit: 1) == [b.records[0]],
                  "one page of the feed through the append")
        try check(try await store.operations(afterOrdinal: 0, through: b.records.last!.ordinal, limit: 100) == a.records + b.records,
                  "the feed through the append")
        try check(try await store.operations(afterOrdinal: first, through: first, limit: 100).isEmpty, "an empty range")
        let complete = try await store.completeOrdinal()
        try check(complete <= (try await store.latestOrdinal()), "the complete ordinal is not beyond the latest")
    }

    static func existingOperationIDs(_ store: any ReactorStore) async throws {
        let records = try await commitOK(store, F.create("a", operations: 3), "create").records
        let ids = records.map(\.operation.id)
        try check(try await store.existingOperationIDs([]).isEmpty, "no ids")
        try check(try await store.existingOperationIDs(["nope", "other"]).isEmpty, "unknown ids")
        let found = try await store.existingOperationIDs([ids[0], "nope", ids[2], ids[0]])
        try check(found == [ids[0], ids[2]], "existing ids \(found)")
        try check(try await store.existingOperationIDs(ids) == Set(ids), "all ids")
    }

    static func streamRanges(_ store: any ReactorStore) async throws {
        let g = F.stream("a")
        let ops = try await commitOK(store, F.create("a", operations: 10), "create").records.map(\.operation)
        let cases: [(Int, Int?, ArraySlice<ReactorCore.Operation>)] = [
            (0, nil, ops[...]), (3, 4, ops[3..<7]), (8, 5, ops[8...]), (10, nil, []), (50, 3, []), (0, 0, []),
            (-5, 2, ops[0..<2]), (9, 1, ops[9...]), (0, 1_000, ops[...]),
        ]
        for (from, limit, expected) in cases {
            let read = try await store.operations(in: g, fromIndex: from, limit: limit)
            try check(read == Array(expected), "operations(fromIndex: \(from), limit: \(limit.map(String.init) ?? "nil")) gave indices \(read.map(\.index))")
        }
        try check(try await store.operations(in: F.stream("a", Scope.local), fromIndex: 0, limit: nil).isEmpty, "unknown scope")
        try check(try await store.operations(in: F.stream("a", branch: "dev"), fromIndex: 0, limit: nil).isEmpty, "unknown branch")
        try check(try await store.operations(in: F.stream("zz"), fromIndex: 0, limit: nil).isEmpty, "unknown document")
    }

    /// ``OperationStore/lastOperationIndex(in:atOrBefore:)``: the highest index stamped at or before the time, also
    /// when a later index carries an earlier timestamp (a merge re-appends operations with their own timestamps).
    static func lastOperationAtTime(_ store: any ReactorStore) async throws {
        let g = F.stream("a")
        let stamps: [Int64] = [0, 10, 20, 20, 30, 5, 40]
        let ops = stamps.enumerated().map { F.operation(g, $0.offset, timestamp: F.t0 + $0.element) }
        try await commitOK(store, Commit(header: F.header("a", revision: [Scope.global: ops.count]), createsDocument: true,
                                         appends: [StreamAppend(stream: g, expectedRevision: 0, operations: ops)]), "create")
        try await commitOK(store, F.create("b", operations: 3), "another document")
        let cases: [(Int64, Int?)] = [
            (F.t0 - 1, nil), (F.t0, 0), (F.t0 + 4, 0), (F.t0 + 5, 5), (F.t0 + 9, 5), (F.t0 + 20, 5), (F.t0 + 39, 5),
            (F.t0 + 40, 6), (Int64.max, 6), (Int64.min, nil),
        ]
        for (time, expected) in cases {
            let found = try await store.lastOperationIndex(in: g, atOrBefore: time)
            try check(found == expected, "lastOperationIndex(atOrBefore: t0\(time >= F.t0 ? "+" : "")\(time &- F.t0)) gave \(found.map(String.init) ?? "nil"), expected \(expected.map(String.init) ?? "nil")")
        }
        try check(try await store.lastOperationIndex(in: F.stream("a", Scope.local), atOrBefore: Int64.max) == nil, "unknown scope")
        try check(try await store.lastOperationIndex(in: F.stream("a", branch: "dev"), atOrBefore: Int64.max) == nil, "unknown branch")
        try check(try await store.lastOperationIndex(in: F.stream("zz"), atOrBefore: Int64.max) == nil, "unknown document")
        try check(try await store.lastOperationIndex(in: F.stream("b"), atOrBefore: F.t0 + 1) == 1, "another document's stream")
    }

    static func operationQueries(_ store: any ReactorStore) async throws {
        let id = "d"
        let g = F.stream(id), l = F.stream(id, Scope.local), dev = F.stream(id, branch: "dev")
        let globalOps = (0..<6).map { F.operation(g, $0, type: $0.isMultiple(of: 2) ? "A" : "B", timestamp: F.t0 + Int64($0) * 10) }
        let localOps = (0..<3).map { F.operation(l, $0, type: $0 == 1 ? "C" : "A", timestamp: F.t0 + 5 + Int64($0) * 10) }
        try await commitOK(store, Commit(header: F.header(id), createsDocument: true, appends: [
            StreamAppend(stream: g, expectedRevision: 0, operations: Array(globalOps[0..<3])),
            StreamAppend(stream: l, expectedRevision: 0, operations: Array(localOps[0..<2])),
        ]), "create")
        try await commitOK(store, F.create("other", operations: 3), "other document")
        try await commitOK(store, Commit(header: F.header(id), appends: [
            StreamAppend(stream: g, expectedRevision: 3, operations: Array(globalOps[3...])),
            StreamAppend(stream: l, expectedRevision: 2, operations: Array(localOps[2...])),
            StreamAppend(stream: dev, expectedRevision: 0, operations: F.operations(dev, from: 0, count: 2, type: "A")),
        ]), "append")
        let all = try await store.operations(afterOrdinal: 0, limit: 1_000)

        let queries: [OperationQuery] = [
            OperationQuery(documentID: id),
            OperationQuery(documentID: id, scopes: [Scope.local]),
            OperationQuery(documentID: id, scopes: [Scope.global, Scope.local]),
            OperationQuery(documentID: id, scopes: []),
            OperationQuery(documentID: id, scopes: ["nope"]),
            OperationQuery(documentID: id, actionTypes: ["A"]),
            OperationQuery(documentID: id, actionTypes: ["A", "C"]),
            OperationQuery(documentID: id, actionTypes: []),
            OperationQuery(documentID: id, fromIndex: 2),
            OperationQuery(documentID: id, fromIndex: 100),
            OperationQuery(documentID: id, since: F.t0 + 20),
            OperationQuery(documentID: id, scopes: [Scope.global], actionTypes: ["A"], fromIndex: 1, since: F.t0 + 1),
            OperationQuery(documentID: id, branch: "dev"),
            OperationQuery(documentID: id, branch: "dev", actionTypes: ["B"]),
            OperationQuery(documentID: "other"),
            OperationQuery(documentID: "missing"),
        ]
        for query in queries {
            let expected = all.filter(query.matches)
            let single = try await store.operations(matching: query, page: PageRequest(limit: 1_000))
            try check(single.items == expected, "\(query): got \(single.items.map { "\($0.stream.scope)#\($0.operation.index)" }), expected \(expected.map { "\($0.stream.scope)#\($0.operation.index)" })")
            try check(single.nextCursor == nil, "\(query): a complete page has a next cursor")
            for limit in [1, 2, 4] {
                let paged = try await allPages(limit: limit, "\(query) by \(limit)") { try await store.operations(matching: query, page: $0) }
                try check(paged == expected, "\(query) paged by \(limit): got \(paged.count) records, expected \(expected.count)")
            }
        }
        let first = try await store.operations(matching: OperationQuery(documentID: id), page: PageRequest(limit: 3))
        try check(first.items.count == 3 && first.nextCursor != nil, "first page of 3")
    }

    static func invalidPaging(_ store: any ReactorStore) async throws {
        try await commitOK(store, F.create("a", operations: 3), "create")
        let query = OperationQuery(documentID: "a")
        for limit in [0, -1, Int.min] {
            try await checkThrows(.invalidArgument, "operations(matching:) limit \(limit)") {
                _ = try await store.operations(matching: query, page: PageRequest(limit: limit))
            }
            try await checkThrows(.invalidArgument, "findHeaders limit \(limit)") {
                _ = try await store.findHeaders(matching: DocumentQuery(), page: PageRequest(limit: limit))
            }
        }
        for cursor in ["abc", "-1", "1.5", "", " 1", "99999999999999999999999"] {
            try await checkThrows(.invalidArgument, "operations(matching:) cursor '\(cursor)'") {
                _ = try await store.operations(matching: query, page: PageRequest(cursor: cursor, limit: 10))
            }
            try await checkThrows(.invalidArgument, "findHeaders cursor '\(cursor)'") {
                _ = try await store.findHeaders(matching: DocumentQuery(), page: PageRequest(cursor: cursor, limit: 10))
            }
        }
        let clamped = try await store.operations(matching: query, page: PageRequest(limit: PageRequest.maxLimit * 10))
        try check(clamped.items.count == 3, "a limit above the maximum is clamped, not rejected")
    }

    static func keyframes(_ store: any ReactorStore) async throws {
        let g = F.stream("a"), l = F.stream("a", Scope.local)
        let initial = Keyframe(stream: g, index: -1, state: ["items": [], "title": "ünïcode ✓"], hash: "h-1")
        let k4 = Keyframe(stream: g, index: 4, state: ["items": [1, 2.5, "x", nil, true], "nested": ["a": ["b": [:]]]], hash: "h4")
        let k9 = Keyframe(stream: g, index: 9, state: ["items": ["9"]], hash: "h9")
        let k0 = Keyframe(stream: l, index: 0, state: "a plain string state", hash: "h0")
        var create = F.create("a", operations: 5)
        create.keyframes = [initial, k4]
        try await commitOK(store, create, "create")
        var append = F.append("a", at: 5, count: 5)
        append.keyframes = [k9, k0]
        try await commitOK(store, append, "append")

        let cases: [(StreamID, Int?, Keyframe?)] = [
            (g, nil, k9), (g, 100, k9), (g, 9, k9), (g, 8, k4), (g, 4, k4), (g, 3, initial), (g, -1, initial), (g, -2, nil),
            (l, nil, k0), (l, 0, k0), (l, -1, nil),
            (F.stream("a", "other"), nil, nil), (F.stream("a", branch: "dev"), nil, nil), (F.stream("zz"), 5, nil),
        ]
        for (stream, index, expected) in cases {
            let read = try await store.latestKeyframe(of: stream, atOrBefore: index)
            try check(read == expected, "latestKeyframe(\(stream), atOrBefore: \(index.map(String.init) ?? "nil")) = \(read.map { String($0.index) } ?? "nil"), expected \(expected.map { String($0.index) } ?? "nil")")
        }
    }
}
