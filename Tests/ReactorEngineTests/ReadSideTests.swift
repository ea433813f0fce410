import ReactorCore
import ReactorEngine
import ReactorMemory
import Testing

@Suite(.timeLimit(.minutes(3))) struct ReadSideTests {
    @Test(arguments: StoreKind.allCases)
    func slugsAndAmbiguousIdentifiers(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "alpha", slug: "first")
            _ = try await reactor.createCounter(id: "first", slug: "second")
            #expect(try await reactor.getBySlug("first").id == "alpha")
            #expect(try await reactor.getByIdOrSlug("alpha").id == "alpha")
            #expect(try await reactor.getByIdOrSlug("second").id == "first")
            await #expect { _ = try await reactor.getByIdOrSlug("first") } throws: { ($0 as? ReactorError)?.code == .ambiguousIdentifier }
            await #expect { _ = try await reactor.getBySlug("nope") } throws: { ($0 as? ReactorError)?.code == .documentNotFound }
            // A taken slug fails the create.
            let dup = try await reactor.create(NewDocument(id: "gamma", documentType: Counter.documentType, slug: "first"))
            let info = try await module.jobTracker.wait(for: dup.id, timeout: .seconds(5))
            #expect(info.error?.code == .slugTaken)
            // A bad slug is invalid input: refused at submission when creating, a failed job when set later.
            let bad = await #expect(throws: ReactorError.self) {
                try await reactor.create(NewDocument(documentType: Counter.documentType, slug: "no spaces!"))
            }
            #expect(bad?.code == .invalidInput)
            #expect(bad?.details["path"] == "slug")
            let badLater = try await reactor.execute("alpha", actions: [Action(type: SystemAction.setSlug, scope: Scope.document, input: ["slug": "a\u{202E}b"])])
            #expect(try await module.jobTracker.wait(for: badLater.id, timeout: .seconds(5)).error?.code == .invalidInput)
            // Changing a slug frees the old one.
            try await reactor.executeAndWait("alpha", [Action(type: SystemAction.setSlug, scope: Scope.document, input: ["slug": "renamed"])])
            #expect(try await reactor.getBySlug("renamed").id == "alpha")
            _ = try await reactor.createCounter(id: "delta", slug: "first")
        }
    }

    /// Reads by id or slug come from the identifier cache once warm, and every header change is seen at once:
    /// a new document whose slug is a cached id, a slug change, a delete.
    @Test(arguments: StoreKind.allCases)
    func identifierCacheFollowsHeaderChanges(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "alpha", slug: "a-slug")
            #expect(try await reactor.getByIdOrSlug("alpha").id == "alpha")
            #expect(try await reactor.getByIdOrSlug("a-slug").id == "alpha")
            #expect(reactor.identifiers.lookup("alpha").resolution == .init(byID: "alpha", bySlug: nil))
            #expect(reactor.identifiers.lookup("a-slug").resolution == .init(byID: nil, bySlug: "alpha"))

            // Another document takes "alpha" as its slug: the cached id is now ambiguous.
            _ = try await reactor.createCounter(id: "beta", slug: "alpha")
            await #expect { _ = try await reactor.getByIdOrSlug("alpha") } throws: { ($0 as? ReactorError)?.code == .ambiguousIdentifier }
            #expect(try await reactor.getBySlug("alpha").id == "beta")

            // A slug change: the old slug names nothing, the new one names the document.
            try await reactor.executeAndWait("alpha", [Action(type: SystemAction.setSlug, scope: Scope.document, input: ["slug": "moved"])])
            await #expect { _ = try await reactor.getByIdOrSlug("a-slug") } throws: { ($0 as? ReactorError)?.code == .documentNotFound }
            #expect(try await reactor.getByIdOrSlug("moved").id == "alpha")

            // A delete: the id still resolves, to a deleted document.
            _ = try await reactor.getByIdOrSlug("beta")
            let deleted = try await reactor.deleteDocument("beta")
            _ = try await reactor.waitForJob(deleted.id)
            await #expect { _ = try await reactor.getByIdOrSlug("beta") } throws: { ($0 as? ReactorError)?.code == .documentDeleted }
        }
    }

    @Test func identifierCacheKeepsOnlyAnswersNoInvalidationRaced() {
        let cache = IdentifierCache(capacity: 3)
        let (_, g0) = cache.lookup("x")
        cache.invalidate(documentID: "other", slug: nil)
        cache.store(.init(byID: "x", bySlug: nil), for: "x", generation: g0)
        #expect(cache.lookup("x").resolution == nil, "an answer read before an invalidation is not kept")

        let (_, g1) = cache.lookup("x")
        cache.store(.init(byID: nil, bySlug: nil), for: "x", generation: g1)
        #expect(cache.count == 0, "identifiers that name nothing are not kept")
        cache.store(.init(byID: "x", bySlug: "y"), for: "x", generation: g1)
        cache.store(.init(byID: nil, bySlug: "y"), for: "s", generation: g1)
        #expect(cache.count == 2)
        // Invalidating y forgets both identifiers that name it, and nothing else.
        cache.store(.init(byID: "z", bySlug: nil), for: "z", generation: g1)
        cache.invalidate(documentID: "y", slug: nil)
        #expect(cache.lookup("x").resolution == nil && cache.lookup("s").resolution == nil)
        #expect(cache.lookup("z").resolution != nil)
        // A full cache starts again.
        let (_, g2) = cache.lookup("a")
        for key in ["a", "b", "c", "d"] { cache.store(.init(byID: key, bySlug: nil), for: key, generation: g2) }
        #expect(cache.count <= 3)
        #expect(cache.lookup("d").resolution != nil)
    }

    @Test(arguments: StoreKind.allCases)
    func findWithFiltersAndPaging(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            for i in 0..<25 { _ = try await reactor.createCounter(id: String(format: "c%02d", i)) }
            let todo = try await reactor.create(NewDocument(id: "t1", documentType: "reactor/todo-list"))
            _ = try await reactor.waitForJob(todo.id)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await reactor.find(DocumentQuery(documentType: Counter.documentType), page: PageRequest(cursor: cursor, limit: 10))
                #expect(page.items.count <= 10)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == (0..<25).map { String(format: "c%02d", $0) })
            let byIDs = try await reactor.find(DocumentQuery(ids: ["c03", "t1", "zz"]))
            #expect(Set(byIDs.items.map(\.id)) == ["c03", "t1"])
            _ = try await reactor.waitForJob(try await reactor.addChildren("c00", ["c01", "c02"]).id)
            #expect(try await reactor.find(DocumentQuery(parentID: "c00")).items.map(\.id) == ["c01", "c02"])
            await #expect { _ = try await reactor.find(DocumentQuery(), page: PageRequest(limit: 0)) } throws: { ($0 as? ReactorError)?.code == .invalidArgument }
            await #expect { _ = try await reactor.find(DocumentQuery(), page: PageRequest(cursor: "garbage")) } throws: { ($0 as? ReactorError)?.code == .invalidArgument }
            // Deleted documents are not found.
            _ = try await reactor.waitForJob(try await reactor.deleteDocument("c04").id)
            #expect(try await reactor.find(DocumentQuery(ids: ["c04"])).items.isEmpty)
            #expect(try await reactor.find(DocumentQuery(ids: ["c04"], includeDeleted: true)).items.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func operationsListingFiltersAndPages(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter()
            for i in 0..<30 { try await reactor.executeAndWait(doc.id, [Counter.add(i)]) }
            try await reactor.executeAndWait(doc.id, [Action(type: "FAIL")])
            var all: [OperationRecord] = []
            var cursor: String?
            repeat {
                let page = try await reactor.operations(OperationQuery(documentID: doc.id), page: PageRequest(cursor: cursor, limit: 7))
                all += page.items
                cursor = page.nextCursor
            } while cursor != nil
            #expect(all.count == 32)
            #expect(all.map(\.ordinal) == all.map(\.ordinal).sorted())
            #expect(try await reactor.operations(OperationQuery(documentID: doc.id, scopes: [Scope.global], fromIndex: 25)).items.map(\.operation.index) == [25, 26, 27, 28, 29, 30])
            #expect(try await reactor.operations(OperationQuery(documentID: doc.id, actionTypes: ["FAIL"])).items.count == 1)
            await #expect { _ = try await reactor.operations(OperationQuery(documentID: "nope")) } throws: { ($0 as? ReactorError)?.code == .documentNotFound }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func relationshipGraph(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            for id in ["root", "a", "b", "leaf", "lonely"] { _ = try await reactor.createCounter(id: id) }
            _ = try await reactor.waitForJob(try await reactor.addChildren("root", ["a", "b"]).id)
            _ = try await reactor.waitForJob(try await reactor.addChildren("a", ["leaf"]).id)
            _ = try await reactor.waitForJob(try await reactor.addChildren("b", ["leaf"]).id)
            #expect(try await reactor.children(of: "root") == ["a", "b"])
            #expect(Set(try await reactor.parents(of: "leaf")) == ["a", "b"])
            #expect(Set(try await reactor.ancestors(of: "leaf")) == ["a", "b", "root"])
            #expect(Set(try await reactor.orphans(documentType: Counter.documentType).items) == ["root", "lonely"])
            // A cycle is refused; a missing target is refused; self-reference is refused.
            let cycle = try await reactor.addChildren("leaf", ["root"])
            #expect(try await module.jobTracker.wait(for: cycle.id, timeout: .seconds(5)).error?.code == .invalidInput)
            let missing = try await reactor.addChildren("root", ["ghost"])
            #expect(try await module.jobTracker.wait(for: missing.id, timeout: .seconds(5)).error?.code == .documentNotFound)
            let selfRef = try await reactor.addChildren("root", ["root"])
            #expect(try await module.jobTracker.wait(for: selfRef.id, timeout: .seconds(5)).error?.code == .invalidInput)
            _ = try await reactor.waitForJob(try await reactor.removeChildren("root", ["a"]).id)
            #expect(try await reactor.children(of: "root") == ["b"])
            // The document scope state mirrors relationships.
            let root = try await reactor.get("root")
            #expect(root.state[Scope.document]?["relationships"]?.arrayValue?.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func consistencyTokenWaitsAndTimesOut(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter()
            let info = try await reactor.executeAndWait(doc.id, [Counter.add(1)])
            let token = try #require(info.consistencyToken)
            #expect(Counter.value(try await reactor.get(doc.id, consistencyToken: token)) == 1)
            // A token from the future times out with a typed error.
            let future = ConsistencyToken(coordinates: [.init(documentID: doc.id, scope: Scope.global, branch: Branch.main, operationIndex: 99)])
            await #expect { _ = try await reactor.get(doc.id, consistencyToken: future, timeout: .milliseconds(150)) } throws: {
                ($0 as? ReactorError)?.code == .consistencyTimeout
            }
            // A read that waits is released when the write lands.
            let pending = ConsistencyToken(coordinates: [.init(documentID: doc.id, scope: Scope.global, branch: Branch.main, operationIndex: 1)])
            async let read = reactor.get(doc.id, consistencyToken: pending, timeout: .seconds(5))
            try await Task.sleep(for: .milliseconds(50))
            _ = try await reactor.execute(doc.id, actions: [Counter.add(10)])
            #expect(Counter.value(try await read) == 11)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func writeCacheEvictsAndColdLoadsAgree(_ kind: StoreKind) async throws {
        let builder = try ReactorBuilder.testing(kind).withWriteCacheConfig(WriteCacheConfig(maxDocuments: 3, ringBufferSize: 4))
            .withKeyframeConfig(KeyframeConfig(interval: 5))
        try await builder.withReactor { module in
            let reactor = module.reactor
            for i in 0..<5 {
                let doc = try await reactor.createCounter(id: "d\(i)")
                for n in 1...12 { try await reactor.executeAndWait(doc.id, [Counter.add(n)]) }
            }
            #expect(module.writeCache.count == 3)
            #expect(module.writeCache.get("d0", branch: Branch.main) == nil)
            let warm = try await reactor.get("d4")
            module.writeCache.removeAll()
            let cold = try await reactor.get("d4")
            #expect(cold == warm)
            #expect(Counter.value(cold) == 78)
            // Keyframes were stored every 5 operations.
            let kf = try await module.keyframeStore.latestKeyframe(of: StreamID(documentID: "d4", scope: Scope.global), atOrBefore: nil)
            #expect(kf?.index == 9)
            // Past states: the ring buffer for recent ones, keyframe + replay for older ones.
            try await reactor.executeAndWait("d4", [Counter.add(100)])
            let recent = try await reactor.state(of: StreamID(documentID: "d4", scope: Scope.global), at: 12)
            #expect(recent.state["value"]?.intValue == 178)
            let old = try await reactor.state(of: StreamID(documentID: "d4", scope: Scope.global), at: 2)
            #expect(old.state["value"]?.intValue == 6)
            await #expect { _ = try await reactor.state(of: StreamID(documentID: "d4", scope: Scope.global), at: 50) } throws: {
                ($0 as? ReactorError)?.code == .invalidArgument
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func initialStateAndMetaAtCreate(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let job = try await reactor.create(NewDocument(id: "init", documentType: Counter.documentType, meta: ["owner": "ann"],
                                                           initialState: [Scope.global: ["value": 40]]))
            _ = try await reactor.waitForJob(job.id)
            try await reactor.executeAndWait("init", [Counter.add(2)])
            module.writeCache.removeAll()
            let doc = try await reactor.get("init")
            #expect(Counter.value(doc) == 42)
            #expect(doc.header.meta["owner"] == "ann")
            let bad = try await reactor.create(NewDocument(documentType: Counter.documentType, initialState: ["nope": 1]))
            #expect(try await module.jobTracker.wait(for: bad.id, timeout: .seconds(5)).error?.code == .unknownScope)
        }
    }
}
