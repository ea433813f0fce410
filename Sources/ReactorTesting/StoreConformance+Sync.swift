import ReactorCore

extension StoreConformance {
    /// Sync's persistence: the records of ``SyncRecordStore`` (every store adapter implements it), the typed
    /// ``SyncStore`` over them, and the origin each operation is stored with.
    static let syncCases: [ConformanceCase] = [
        ConformanceCase("sync records: put, get, replace") { try await syncRecordsPutGetReplace($0) },
        ConformanceCase("sync records: insert-if-absent keeps the first value, also for concurrent callers") {
            try await syncRecordsInsertIfAbsent($0)
        },
        ConformanceCase("sync records: a kind lists in key byte order, paged by after and limit") { try await syncRecordsListing($0) },
        ConformanceCase("sync records: delete one and delete a kind return counts") { try await syncRecordsDelete($0) },
        ConformanceCase("sync records: kinds are independent") { try await syncRecordsKindsIndependent($0) },
        ConformanceCase("sync records: unicode and '/' in kinds, keys and values round-trip") { try await syncRecordsUnicode($0) },
        ConformanceCase("origin: stored with each operation, returned by the ordinal feed") { try await operationOrigins($0) },
        ConformanceCase("sync store: reactor id, remotes, cursors, dead letters, quarantines") { try await syncStoreTyped($0) },
    ]

    /// Checks a store just upgraded from a schema without sync: the operations stored before the upgrade (ids
    /// `existingOperationIDs`, the whole feed, in ordinal order) come back with a nil origin, and origins and sync
    /// records work afterwards.
    public static func checkUpgradedForSync(_ store: any ReactorStore, existingOperationIDs: [String]) async throws {
        var commit = F.create("after-upgrade")
        commit.origin = "peer-1"
        let receipt = try await commitOK(store, commit, "commit after the upgrade")
        let feed = try await store.operations(afterOrdinal: 0, limit: existingOperationIDs.count + 10)
        try check(feed.map(\.operation.id) == existingOperationIDs + receipt.records.map(\.operation.id), "the feed after the upgrade")
        try check(feed.map(\.origin) == existingOperationIDs.map { _ in nil } + ["peer-1"], "origins after the upgrade: \(feed.map(\.origin))")
        let records = try syncRecords(store)
        try await records.putSyncRecord(kind: "remote", key: "a", value: "{}")
        try check(try await records.syncRecord(kind: "remote", key: "a") == "{}", "a sync record after the upgrade")
    }

    /// The store's ``SyncRecordStore`` side: every store adapter must have one.
    static func syncRecords(_ store: any ReactorStore, file: StaticString = #fileID, line: UInt = #line) throws -> any SyncRecordStore {
        guard let records = store as? any SyncRecordStore else {
            throw ConformanceFailure("\(type(of: store)) does not implement SyncRecordStore", file: file, line: line)
        }
        return records
    }

    /// `keys` in byte order of their UTF-8 (the order ``SyncRecordStore/syncRecords(kind:after:limit:)`` promises).
    static func byteOrdered(_ keys: [String]) -> [String] {
        keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    static func syncRecordsPutGetReplace(_ store: any ReactorStore) async throws {
        let records = try syncRecords(store)
        try check(try await records.syncRecord(kind: "remote", key: "alpha") == nil, "a record nobody stored reads back")
        try await records.putSyncRecord(kind: "remote", key: "alpha", value: #"{"name":"alpha"}"#)
        try await records.putSyncRecord(kind: "remote", key: "beta", value: "")
        try check(try await records.syncRecord(kind: "remote", key: "alpha") == #"{"name":"alpha"}"#, "alpha does not read back")
        try check(try await records.syncRecord(kind: "remote", key: "beta") == "", "an empty value does not read back as empty")
        try await records.putSyncRecord(kind: "remote", key: "alpha", value: #"{"name":"alpha","paused":true}"#)
        try check(try await records.syncRecord(kind: "remote", key: "alpha") == #"{"name":"alpha","paused":true}"#, "put does not replace")
        let all = try await records.syncRecords(kind: "remote", after: nil, limit: 10)
        try check(all == [SyncRecord(key: "alpha", value: #"{"name":"alpha","paused":true}"#), SyncRecord(key: "beta", value: "")],
                  "replacing left \(all)")
        // Insert-if-absent leaves a put value alone, even an empty one.
        try check(try await records.insertSyncRecordIfAbsent(kind: "remote", key: "beta", value: "other") == "", "insert-if-absent replaced a value")
    }

    static func syncRecordsInsertIfAbsent(_ store: any ReactorStore) async throws {
        let records = try syncRecords(store)
        try check(try await records.insertSyncRecordIfAbsent(kind: "identity", key: "reactor", value: "first") == "first",
                  "insert-if-absent into an empty key does not return the value given")
        try check(try await records.insertSyncRecordIfAbsent(kind: "identity", key: "reactor", value: "second") == "first",
                  "insert-if-absent does not return the value stored first")
        try check(try await records.syncRecord(kind: "identity", key: "reactor") == "first", "insert-if-absent replaced the value")
        try await records.putSyncRecord(kind: "identity", key: "reactor", value: "put")
        try check(try await records.insertSyncRecordIfAbsent(kind: "identity", key: "reactor", value: "third") == "put",
                  "insert-if-absent does not see a put value")

        // Eight callers at once, each with its own value: all get the same one, and it is the one stored.
        for round in 0..<10 {
            let key = "race-\(round)"
            let values = (0..<8).map { "value-\(round)-\($0)" }
            let returned = try await withThrowingTaskGroup(of: String.self) { group in
                for value in values {
                    group.addTask { try await records.insertSyncRecordIfAbsent(kind: "race", key: key, value: value) }
                }
                var out: [String] = []
                for try await value in group { out.append(value) }
                return out
            }
            try check(returned.count == 8 && Set(returned).count == 1, "round \(round): concurrent callers got \(returned)")
            try check(values.contains(returned[0]), "round \(round): returned '\(returned[0])', which no caller gave")
            try check(try await records.syncRecord(kind: "race", key: key) == returned[0], "round \(round): the stored value differs from the returned one")
        }
        try check(try await records.syncRecords(kind: "race", after: nil, limit: 100).count == 10, "concurrent inserts stored more than one record per key")
    }

    static func syncRecordsListing(_ store: any ReactorStore) async throws {
        let records = try syncRecords(store)
        // Byte order differs from most locales' collation: upper case before lower, '-' before '/' before letters,
        // no accent folding, and digits as text.
        let keys = ["b", "a", "B", "a/b", "a-b", "ab", "A", "ä", "z", "10", "9", "a/", "Zed", "日本", "~", "0001"]
        for (i, key) in keys.enumerated() { try await records.putSyncRecord(kind: "list", key: key, value: "v\(i)") }
        try await records.putSyncRecord(kind: "list-other", key: "0", value: "elsewhere")
        try await records.putSyncRecord(kind: "lis", key: "a", value: "elsewhere")
        let ordered = byteOrdered(keys)
        let value = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, "v\($0)") })

        let all = try await records.syncRecords(kind: "list", after: nil, limit: 100)
        try check(all.map(\.key) == ordered, "listing order \(all.map(\.key)), expected \(ordered)")
        try check(all.allSatisfy { value[$0.key] == $0.value }, "listed values differ")

        // Paging with the last key of each page.
        for limit in [1, 3, 5, 16, 17] {
            var paged: [String] = []
            var after: String?
            for _ in 0..<100 {
                let page = try await records.syncRecords(kind: "list", after: after, limit: limit)
                try check(page.count <= limit, "limit \(limit): a page of \(page.count)")
                paged += page.map(\.key)
                guard page.count == limit, let last = page.last else { break }
                after = last.key
            }
            try check(paged == ordered, "limit \(limit): paging gave \(paged)")
        }
        try check(try await records.syncRecords(kind: "list", after: nil, limit: 4).map(\.key) == Array(ordered.prefix(4)), "limit 4")
        // `after` need not be a stored key.
        let afterA = try await records.syncRecords(kind: "list", after: "a.", limit: 100).map(\.key)
        try check(afterA == ordered.filter { Array("a.".utf8).lexicographicallyPrecedes(Array($0.utf8)) }, "after 'a.' gave \(afterA)")
        try check(try await records.syncRecords(kind: "list", after: ordered.last!, limit: 100).isEmpty, "after the last key")
        try check(try await records.syncRecords(kind: "list", after: nil, limit: 0).isEmpty, "limit 0 returned records")
        try check(try await records.syncRecords(kind: "missing", after: nil, limit: 10).isEmpty, "an unknown kind has records")
        try check(try await records.syncRecords(kind: "lis", after: nil, limit: 10) == [SyncRecord(key: "a", value: "elsewhere")],
                  "a kind that is a prefix of another lists the other's records")
    }

    static func syncRecordsDelete(_ store: any ReactorStore) async throws {
        let records = try syncRecords(store)
        for key in ["a", "b", "c"] { try await records.putSyncRecord(kind: "cursor", key: key, value: "1") }
        for key in ["a", "b"] { try await records.putSyncRecord(kind: "cursor/extra", key: key, value: "2") }
        try await records.putSyncRecord(kind: "cursors", key: "a", value: "3")

        try check(try await records.deleteSyncRecords(kind: "cursor", key: "b") == 1, "deleting one record did not count 1")
        try check(try await records.deleteSyncRecords(kind: "cursor", key: "b") == 0, "deleting a deleted record did not count 0")
        try check(try await records.deleteSyncRecords(kind: "cursor", key: "zzz") == 0, "deleting a missing key did not count 0")
        try check(try await records.syncRecord(kind: "cursor", key: "b") == nil, "a deleted record reads back")
        try check(try await records.syncRecords(kind: "cursor", after: nil, limit: 10).map(\.key) == ["a", "c"], "delete one removed others")

        try check(try await records.deleteSyncRecords(kind: "cursor", key: nil) == 2, "deleting a kind of 2 records did not count 2")
        try check(try await records.syncRecords(kind: "cursor", after: nil, limit: 10).isEmpty, "a deleted kind still lists records")
        try check(try await records.deleteSyncRecords(kind: "cursor", key: nil) == 0, "deleting an empty kind did not count 0")
        try check(try await records.deleteSyncRecords(kind: "never", key: nil) == 0, "deleting an unknown kind did not count 0")
        // Kinds that share a prefix with the deleted one are untouched.
        try check(try await records.syncRecords(kind: "cursor/extra", after: nil, limit: 10).count == 2, "deleting a kind removed 'cursor/extra'")
        try check(try await records.syncRecord(kind: "cursors", key: "a") == "3", "deleting a kind removed 'cursors'")
        // A deleted record can be stored again, also by insert-if-absent.
        try check(try await records.insertSyncRecordIfAbsent(kind: "cursor", key: "a", value: "again") == "again", "re-insert after delete")
    }

    static func syncRecordsKindsIndependent(_ store: any ReactorStore) async throws {
        let records = try syncRecords(store)
        let kinds = ["remote", "channel", "dead-letter/remote:a", "dead-letter/remote:ab", "quarantine/remote:a"]
        for kind in kinds {
            try await records.putSyncRecord(kind: kind, key: "same", value: "value of \(kind)")
            try await records.putSyncRecord(kind: kind, key: "only-\(kind)", value: "x")
        }
        for kind in kinds {
            try check(try await records.syncRecord(kind: kind, key: "same") == "value of \(kind)", "\(kind): a record of another kind reads back")
            let listed = try await records.syncRecords(kind: kind, after: nil, limit: 10)
            try check(listed.map(\.key) == byteOrdered(["same", "only-\(kind)"]), "\(kind) lists \(listed.map(\.key))")
        }
        try check(try await records.insertSyncRecordIfAbsent(kind: "channel", key: "new", value: "c") == "c", "insert into channel")
        try check(try await records.syncRecord(kind: "remote", key: "new") == nil, "insert into one kind shows in another")
        try check(try await records.deleteSyncRecords(kind: "dead-letter/remote:a", key: nil) == 2, "delete kind count")
        try check(try await records.syncRecords(kind: "dead-letter/remote:ab", after: nil, limit: 10).count == 2, "deleting a kind removed another")
        try check(try await records.deleteSyncRecords(kind: "remote", key: "same") == 1, "delete one")
        try check(try await records.syncRecord(kind: "channel", key: "same") == "value of channel", "deleting one record removed another kind's")
    }

    static func syncRecordsUnicode(_ store: any ReactorStore) async throws {
        let records = try syncRecords(store)
        let kind = "dead-letter/channel:ünï/cödé"
        let keys = [
            "remote:alpha/push", "a/b/c", "/", "//leading", "trailing/", "日本語/キー", "emoji 🌍/🚀", "Zoë", "with space",
            "quote ' and \" and \\ back", "100%_like", "tab\tand\nnewline", "ключ",
        ]
        let values = keys.map { #"{"key":"\#($0.replacingOccurrences(of: "\\", with: "\\\\"))","text":"héllo wörld 🌍 \n ✓"}"# }
        for (key, value) in zip(keys, values) { try await records.putSyncRecord(kind: kind, key: key, value: value) }
        for (key, value) in zip(keys, values) {
            try check(try await records.syncRecord(kind: kind, key: key) == value, "'\(key)' does not read back")
        }
        let listed = try await records.syncRecords(kind: kind, after: nil, limit: 100)
        try check(listed.map(\.key) == byteOrdered(keys), "unicode keys list as \(listed.map(\.key))")
        try check(listed == byteOrdered(keys).map { key in SyncRecord(key: key, value: values[keys.firstIndex(of: key)!]) }, "listed values")
        try check(try await records.syncRecords(kind: "dead-letter/channel:ünï", after: nil, limit: 100).isEmpty, "a kind's prefix lists records")
        // '%' and '_' are literal: nothing matches like a pattern.
        try check(try await records.syncRecord(kind: kind, key: "100%") == nil, "'100%' matched a longer key")
        try check(try await records.deleteSyncRecords(kind: kind, key: "100%_like") == 1, "delete a key with % and _")
        try check(try await records.deleteSyncRecords(kind: kind, key: "a/b/c") == 1, "delete a key with /")
        try check(try await records.syncRecords(kind: kind, after: nil, limit: 100).count == keys.count - 2, "deleting removed other keys")
    }

    static func operationOrigins(_ store: any ReactorStore) async throws {
        let start = try await store.latestOrdinal()
        var expected: [String: String?] = [:]  // operation id → origin
        func record(_ receipt: CommitReceipt, _ origin: String?, _ context: String) throws {
            for r in receipt.records {
                try check(r.origin == origin, "\(context): the receipt's origin is \(r.origin ?? "nil"), expected \(origin ?? "nil")")
                expected[r.operation.id] = origin
            }
        }

        try record(try await commitOK(store, F.create("local", operations: 2), "local create"), nil, "local create")
        var fromPeer = F.create("synced", operations: 3)
        fromPeer.origin = "peer-1"
        try record(try await commitOK(store, fromPeer, "synced create"), "peer-1", "synced create")
        var append = F.append("local", at: 2, count: 2)
        append.origin = "peer-2"
        try record(try await commitOK(store, append, "append from peer-2"), "peer-2", "append from peer-2")

        // Commits with and without origins in one group; one of them checks an empty stream too (a store may write
        // such a commit another way than the others).
        var withEmptyAppend = F.append("synced", at: 3)
        withEmptyAppend.appends.insert(StreamAppend(stream: F.stream("synced", "empty-scope"), expectedRevision: 0, operations: []), at: 0)
        withEmptyAppend.origin = "peer-3"
        var batch = [F.create("batch-local"), F.append("local", at: 4), withEmptyAppend, F.create("batch-peer")]
        batch[3].origin = "peer-1"
        let origins: [String?] = [nil, nil, "peer-3", "peer-1"]
        let results = await store.commit(batch)
        try check(results.count == batch.count, "a batch of \(batch.count) returned \(results.count) results")
        for (i, result) in results.enumerated() {
            try record(try checkSuccess(result, "batch commit \(i)"), origins[i], "batch commit \(i)")
        }

        // A failing commit in a batch makes some stores write the others again one by one: origins survive that.
        var retried = F.append("batch-peer", at: 1)
        retried.origin = "peer-4"
        var conflicting = F.append("batch-local", at: 0)
        conflicting.origin = "peer-4"
        let mixed = await store.commit([retried, conflicting, F.append("batch-local", at: 1)])
        try record(try checkSuccess(mixed[0], "retried commit"), "peer-4", "retried commit")
        try checkFailure(mixed[1], .revisionConflict, "conflicting commit")
        try record(try checkSuccess(mixed[2], "local commit after a conflict"), nil, "local commit after a conflict")

        let feed = try await store.operations(afterOrdinal: start, limit: 1_000)
        try check(feed.count == expected.count, "the feed has \(feed.count) operations, \(expected.count) were committed")
        for r in feed {
            guard let origin = expected[r.operation.id] else { throw ConformanceFailure("the feed has an unknown operation \(r.operation.id)") }
            try check(r.origin == origin, "\(r.stream) #\(r.operation.index): the feed's origin is \(r.origin ?? "nil"), expected \(origin ?? "nil")")
        }
        try check(feed.contains { $0.origin == nil } && feed.contains { $0.origin == "peer-1" }, "the feed lacks local or synced operations")
        // Paging the feed keeps the origins.
        let paged = try await store.operations(afterOrdinal: start, limit: 3)
        try check(paged == Array(feed.prefix(3)), "a page of the feed differs from the whole feed")
    }

    static func syncStoreTyped(_ store: any ReactorStore) async throws {
        let records = try syncRecords(store)
        let sync = SyncStore(records)

        let id = try await sync.reactorID()
        try check(!id.isEmpty, "the reactor id is empty")
        try check(try await sync.reactorID() == id, "the reactor id changed between calls")
        try check(try await SyncStore(records).reactorID() == id, "another SyncStore over the same records has another reactor id")

        let alpha = SyncRemote(
            name: "alpha", channel: SyncChannelConfig(url: "https://alpha.example:8443", token: "vault:sync/alpha"),
            filter: SyncFilter(documentIDs: ["doc-1"], documentTypes: ["reactor/todo"], scopes: [Scope.global]),
            options: SyncRemote.Options(since: F.t0, pull: .manual, push: false), channelID: "channel-alpha", createdAt: F.t0)
        let beta = SyncRemote(name: "beta", channel: SyncChannelConfig(url: "http://127.0.0.1:9000"), channelID: "channel-beta", createdAt: F.t0 + 1)
        try check(try await sync.remotes().isEmpty, "a fresh store has remotes")
        try check(try await sync.remote(named: "alpha") == nil, "an unknown remote reads back")
        try await sync.saveRemote(beta)
        try await sync.saveRemote(alpha)
        try check(try await sync.remote(named: "alpha") == alpha, "alpha does not read back exactly")
        try check(try await sync.remotes() == [alpha, beta], "remotes are not listed by name")
        var paused = alpha
        paused.paused = true
        try await sync.saveRemote(paused)
        try check(try await sync.remote(named: "alpha") == paused, "saving a remote again does not replace it")
        try check(try await sync.remotes().count == 2, "saving a remote again added one")

        // Cursors: 0 before the first exchange, per peer and direction.
        for peer in [SyncPeer.remote("alpha"), .remote("beta"), .channel("alpha")] {
            for direction in SyncStore.Direction.allCases {
                try check(try await sync.cursor(peer, direction) == 0, "\(peer.key) \(direction) cursor does not start at 0")
            }
        }
        try await sync.saveCursor(.remote("alpha"), .push, 42)
        try await sync.saveCursor(.remote("alpha"), .pull, 7)
        try await sync.saveCursor(.remote("beta"), .push, 5)
        try await sync.saveCursor(.channel("alpha"), .pull, 9)
        try await sync.saveCursor(.remote("alpha"), .push, 43)
        try check(try await sync.cursor(.remote("alpha"), .push) == 43, "alpha push cursor")
        try check(try await sync.cursor(.remote("alpha"), .pull) == 7, "alpha pull cursor")
        try check(try await sync.cursor(.remote("beta"), .pull) == 0, "beta pull cursor")

        // Dead letters (listed oldest first) and quarantines of both remotes.
        let operation = SyncOperation(
            documentID: "doc-1", documentType: "reactor/todo", scope: Scope.global, branch: Branch.main,
            operation: F.operation(F.stream("doc-1"), 0, input: ["title": "Zoë ✓"]), previousHash: "h")
        var letters: [SyncDeadLetter] = []
        for i in 0..<3 {
            letters.append(SyncDeadLetter(
                id: SyncStore.newDeadLetterID(now: F.t0 + Int64(i)), peer: SyncPeer.remote("alpha").key, documentID: "doc-1",
                branch: Branch.main, reason: .hashMismatch, code: "OPERATION_MISMATCH", message: "mismatch \(i)",
                operations: [operation], createdAt: F.t0 + Int64(i)))
        }
        for letter in letters.reversed() { try await sync.addDeadLetter(letter) }
        let betaLetter = SyncDeadLetter(
            id: SyncStore.newDeadLetterID(now: F.t0), peer: SyncPeer.remote("beta").key, documentID: "doc-2", branch: Branch.main,
            reason: .unknownModel, code: "MODEL_NOT_FOUND", message: "unknown", operations: [])
        try await sync.addDeadLetter(betaLetter)
        try check(try await sync.deadLetters(.remote("alpha")) == letters, "alpha's dead letters are not listed oldest first")
        try check(try await sync.deadLetters(.remote("alpha"), after: letters[0].id, limit: 1) == [letters[1]], "dead letters after the first")
        try check(try await sync.deadLetters(.remote("beta")) == [betaLetter], "beta's dead letters")

        let quarantine = SyncQuarantine(peer: SyncPeer.remote("alpha").key, documentID: "doc-1", reason: .hashMismatch, message: "first", since: F.t0)
        try await sync.quarantine(quarantine)
        try await sync.quarantine(SyncQuarantine(peer: SyncPeer.remote("alpha").key, documentID: "doc-1", reason: .rejected, message: "second"))
        try check(try await sync.quarantine(.remote("alpha"), documentID: "doc-1") == quarantine, "a second quarantine replaced the first")
        let betaQuarantine = SyncQuarantine(peer: SyncPeer.remote("beta").key, documentID: "doc-2", reason: .unknownModel, message: "b", since: F.t0)
        try await sync.quarantine(betaQuarantine)
        try check(try await sync.quarantined(.remote("alpha")) == [quarantine], "alpha's quarantines")

        // Deleting alpha removes its cursors, dead letters and quarantines, and nothing of beta's or of a channel
        // that happens to share its name.
        try check(try await sync.deleteRemote(named: "alpha"), "deleting alpha returned false")
        try check(try await sync.deleteRemote(named: "alpha") == false, "deleting alpha twice returned true")
        try check(try await sync.remote(named: "alpha") == nil, "a deleted remote reads back")
        try check(try await sync.remotes() == [beta], "remotes after deleting alpha")
        for direction in SyncStore.Direction.allCases {
            try check(try await sync.cursor(.remote("alpha"), direction) == 0, "alpha's \(direction) cursor survived its deletion")
        }
        try check(try await sync.deadLetters(.remote("alpha")).isEmpty, "alpha's dead letters survived its deletion")
        try check(try await sync.quarantined(.remote("alpha")).isEmpty, "alpha's quarantines survived its deletion")
        try check(try await sync.cursor(.remote("beta"), .push) == 5, "beta's cursor went with alpha")
        try check(try await sync.cursor(.channel("alpha"), .pull) == 9, "channel alpha's cursor went with remote alpha")
        try check(try await sync.deadLetters(.remote("beta")) == [betaLetter], "beta's dead letters went with alpha")
        try check(try await sync.quarantined(.remote("beta")) == [betaQuarantine], "beta's quarantines went with alpha")
        try check(try await sync.release(.remote("beta"), documentID: "doc-2"), "releasing beta's quarantine")
        try check(try await sync.deleteDeadLetter(.remote("beta"), id: betaLetter.id), "deleting beta's dead letter")
        try check(try await sync.reactorID() == id, "the reactor id changed")
    }
}
