import Foundation
import ReactorCore
@testable import ReactorEngine
import ReactorMemory
import ReactorTesting
import Testing

/// Time travel (issue 17): documents read at a revision or a moment, and diffs between revisions, from keyframes and
/// the operations after them. Every revision of a stream with undo, redo, prune, a reducer error and a merge reads as
/// the document read at that revision (and as a replay of the effective log from the start); the header says the
/// point; errors are typed; permissions hold; a read costs the operations since its keyframe.
@Suite(.timeLimit(.minutes(5))) struct TimeTravelTests {
    struct Recorded {
        var revision: Int
        var state: JSONValue?
        var hash: String?
    }

    static let global = StreamID(documentID: "stack", scope: Scope.global)

    /// Runs one job and returns the document read afterwards.
    static func step(_ reactor: Reactor, _ actions: [Action]) async throws -> Document {
        let info = try await reactor.waitForJob(try await reactor.execute("stack", actions: actions).id)
        return try await reactor.get("stack", consistencyToken: info.consistencyToken)
    }

    /// A stack whose `global` stream holds pushes, undos, a redo, a failed POP, a prune, and a merge of a peer's
    /// operation that sorts before the last local one; the document read after each job.
    static func history(_ reactor: Reactor) async throws -> [Recorded] {
        let created = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "stack", documentType: Stack.documentType, name: "first")).id)
        var recorded = [Recorded(revision: 0, state: try await reactor.get("stack", consistencyToken: created.consistencyToken).state[Scope.global], hash: nil)]
        func record(_ document: Document) {
            recorded.append(Recorded(revision: document.header.revision[Scope.global] ?? 0, state: document.state[Scope.global],
                                     hash: document.hashes[Scope.global]))
        }
        for v in 1...6 { record(try await step(reactor, [Stack.push(v)])) }
        for action in [BaseAction.undo, BaseAction.undo, BaseAction.redo] { record(try await step(reactor, [Action(type: action)])) }
        record(try await step(reactor, [Stack.push(7), Stack.pop(), Stack.pop()]))
        record(try await step(reactor, [Action(type: BaseAction.prune)]))
        record(try await step(reactor, [Stack.push(8), Action(type: BaseAction.undo), Stack.push(9)]))
        // Empty the stack, then a POP that the reducer refuses (recorded with its error, the state unchanged).
        let items = recorded.last?.state?["items"]?.arrayValue?.count ?? 0
        record(try await step(reactor, (0...items).map { _ in Stack.pop() }))
        record(try await step(reactor, [Stack.push(10)]))
        // A peer's operation stamped like the last local one, with an action id that sorts first: merged before it.
        let last = try #require(try await reactor.store.operations(in: global, fromIndex: 0, limit: nil).last)
        let action = Action(id: "!peer", type: "PUSH", input: ["v": 11], timestamp: last.timestamp)
        let peer = ReactorCore.Operation(id: OperationID.make(stream: global, actionID: action.id), index: 0, timestamp: last.timestamp, hash: "", action: action)
        let merged = try await reactor.waitForJob(try await reactor.merge("stack", operations: [
            SyncOperation(documentID: "stack", documentType: Stack.documentType, scope: Scope.global, branch: Branch.main, operation: peer),
        ], origin: "peer").id)
        record(try await reactor.get("stack", consistencyToken: merged.consistencyToken))
        record(try await step(reactor, [Stack.push(12)]))
        return recorded
    }

    static func builder(_ kind: StoreKind, interval: Int = 4) throws -> ReactorBuilder {
        let (models, manifests) = Stack.models()
        return ReactorBuilder().withStore(try kind.makeStore()).withDocumentModels(models + [Counter.model]).withUpgradeManifests(manifests)
            .withKeyframeConfig(KeyframeConfig(interval: interval))
    }

    @Test(arguments: StoreKind.allCases)
    func everyRevisionReadsAsTheDocumentDidThen(_ kind: StoreKind) async throws {
        try await Self.builder(kind).withReactor { module in
            let reactor = module.reactor
            let recorded = try await Self.history(reactor)
            let ops = try await reactor.store.operations(in: Self.global, fromIndex: 0, limit: nil)
            #expect(ops.contains { $0.action.type == BaseAction.merge }, "the history has no merge: it proves nothing about merges")
            #expect(ops.contains { $0.error != nil }, "the history has no failed operation")
            for cached in [true, false] {
                if !cached { module.writeCache.removeAll() }
                // Each revision the document was read at reads the same again: state and hash.
                for r in recorded {
                    let past = try await reactor.get("stack", at: .revisions([Scope.global: r.revision]))
                    #expect(past.state[Scope.global] == r.state, "revision \(r.revision)")
                    #expect(past.hashes[Scope.global] == r.hash, "revision \(r.revision)")
                    #expect(past.header.revision[Scope.global] == (r.revision > 0 ? r.revision : nil))
                }
                // Every revision, also inside a job or a merge: the hash recorded on its operation, and the state a
                // replay of the effective log from the start gives.
                for revision in 0...ops.count {
                    let past = try await reactor.get("stack", at: .revisions([Scope.global: revision]))
                    let replayed = try await reactor.loader.fullReplay(Self.global, revision: revision, initial: Stack.model().initialState(scope: Scope.global),
                                                                       reduce: Stack.reduce, config: HistoryConfig(), limit: nil)
                    #expect(past.state[Scope.global] == replayed.state, "revision \(revision)")
                    if revision > 0 {
                        #expect(past.hashes[Scope.global] == ops[revision - 1].hash, "revision \(revision)")
                        #expect(StateHash.of(replayed.state) == ops[revision - 1].hash, "revision \(revision)")
                    }
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aMomentReadsEveryScopeAtItsLastOperationThen(_ kind: StoreKind) async throws {
        try await Self.builder(kind).withReactor { module in
            let reactor = module.reactor
            _ = try await Self.history(reactor)
            let ops = try await reactor.store.operations(in: Self.global, fromIndex: 0, limit: nil)
            let system = try await reactor.store.operations(in: StreamID(documentID: "stack", scope: Scope.document), fromIndex: 0, limit: nil)
            for t in Set(ops.map(\.timestamp) + system.map(\.timestamp)).sorted() {
                let revision = (ops.lastIndex { $0.timestamp <= t } ?? -1) + 1
                let past = try await reactor.get("stack", at: .time(t))
                let atRevision = try await reactor.get("stack", at: .revisions([Scope.global: revision]))
                #expect(past.header.revision[Scope.global] == (revision > 0 ? revision : nil), "at \(t)")
                #expect(past.state[Scope.global] == atRevision.state[Scope.global], "at \(t)")
                #expect(past.hashes[Scope.global] == atRevision.hashes[Scope.global], "at \(t)")
                #expect(past.header.lastModifiedAt <= t, "at \(t)")
                #expect(past.header.revision[Scope.document] == (system.lastIndex { $0.timestamp <= t } ?? -1) + 1)
            }
            // After the last operation: the document as it is.
            let now = try await reactor.get("stack")
            let later = try await reactor.get("stack", at: .time(Int64.max))
            #expect(later == now)
            #expect(try await reactor.get("stack", at: .revisions([:])) == now)
        }
    }

    /// The header at a moment is the header then: name, slug, revisions, last modification; a document deleted since
    /// reads as it was before. The operations are loaded with chosen timestamps, so no two share a millisecond.
    @Test(arguments: StoreKind.allCases)
    func theHeaderIsTheHeaderThen(_ kind: StoreKind) async throws {
        try await Self.builder(kind).withReactor { module in
            let reactor = module.reactor
            let t: Int64 = 1_800_000_000_000
            let system = StreamID(documentID: "c", scope: Scope.document), global = StreamID(documentID: "c", scope: Scope.global)
            func op(_ stream: StreamID, _ index: Int, _ at: Int64, _ type: String, _ input: JSONValue) -> ReactorCore.Operation {
                let action = Action(type: type, scope: stream.scope, input: input, timestamp: at)
                return ReactorCore.Operation(id: OperationID.make(stream: stream, actionID: action.id), index: index, timestamp: at, hash: "", action: action)
            }
            func load(_ ops: [ReactorCore.Operation]) async throws -> Document {
                try await reactor.get("c", consistencyToken: try await reactor.waitForJob(try await reactor.load("c", operations: ops).id).consistencyToken)
            }
            let before = try await load([
                op(system, 0, t, SystemAction.create, ["documentType": .string(Counter.documentType), "name": "Old", "slug": "old-slug"]),
                op(global, 0, t + 10, "ADD", ["amount": 1]),
            ])
            let after = try await load([
                op(system, 1, t + 20, SystemAction.setName, ["name": "New"]), op(system, 2, t + 30, SystemAction.setSlug, ["slug": "new-slug"]),
                op(global, 1, t + 40, "ADD", ["amount": 2]),
            ])
            _ = try await reactor.waitForJob(try await reactor.load("c", operations: [op(system, 3, t + 50, SystemAction.delete, .emptyObject)]).id)

            for at in [t, t + 10, t + 19] {
                let past = try await reactor.get("c", at: .time(at))
                #expect(past.header.name == "Old" && past.header.slug == "old-slug")
                #expect(past.header.revision == (at < t + 10 ? [Scope.document: 1] : [Scope.document: 1, Scope.global: 1]))
                #expect(past.header.lastModifiedAt == (at < t + 10 ? t : t + 10))
            }
            #expect(try await reactor.get("c", at: .time(t + 10)) == before)
            #expect(try await reactor.get("c", at: .time(t + 25)).header.name == "New")
            #expect(try await reactor.get("c", at: .time(t + 25)).header.slug == "old-slug")
            #expect(try await reactor.get("c", at: .time(t + 49)) == after)
            #expect(after.header.lastModifiedAt == t + 40 && after.header.name == "New" && after.header.slug == "new-slug")
            // The document is deleted now: read by its slug now, as it was.
            #expect(try await reactor.getByIdOrSlug("new-slug", at: .time(t + 15)) == before)
            #expect(try await reactor.get("c", at: .revisions([Scope.document: 3])) == after)
            await #expect(throws: ReactorError.documentDeleted("c")) { try await reactor.get("c", at: .time(t + 50)) }
            await #expect(throws: ReactorError.documentDeleted("c")) { try await reactor.get("c", at: .revisions([Scope.global: 1])) }
            let early = try await #require(throws: ReactorError.self) { try await reactor.get("c", at: .time(t - 1)) }
            #expect(early.code == .invalidArgument && early.details["path"] == "at")
        }
    }

    /// Operations written before an upgrade are reduced with the model version they were written with: version 1
    /// pushes `v`, version 2 pushes `10 · v`, so a replay with the wrong version shows.
    @Test(arguments: StoreKind.allCases)
    func pointsBeforeAnUpgradeUseTheVersionOfThen(_ kind: StoreKind) async throws {
        let type = "test/versioned-\(kind.rawValue)"
        let models: [any DocumentModel] = [1, 10].enumerated().map { i, factor in
            TypedDocumentModel(documentType: type, version: i + 1, initialState: Stack.State())
                .on("PUSH", input: Stack.Value.self) { state, input, _ in state.items.append(input.v * factor) }
        }
        let identity = UpgradeManifest(documentType: type, fromVersion: 1, toVersion: 2) { _, state in state }
        try await ReactorBuilder().withStore(try kind.makeStore()).withDocumentModels(models).withUpgradeManifests([identity])
            .withKeyframeConfig(KeyframeConfig(interval: 100)).withReactor { module in
                let reactor = module.reactor
                _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "v", documentType: type, modelVersion: 1)).id)
                try await reactor.executeAndWait("v", [Stack.push(1), Stack.push(2), Stack.push(3)])
                try await reactor.executeAndWait("v", [Action(type: SystemAction.upgrade, scope: Scope.document, input: ["toVersion": 2])])
                try await reactor.executeAndWait("v", [Stack.push(4)])
                let now = try await reactor.get("v")
                #expect(now.header.modelVersion == 2)
                #expect(now.state[Scope.global]?["items"] == [1, 2, 3, 40])
                module.writeCache.removeAll()
                let ops = try await reactor.store.operations(in: StreamID(documentID: "v", scope: Scope.global), fromIndex: 0, limit: nil)
                for (revision, items) in [(0, []), (2, [1, 2]), (3, [1, 2, 3]), (4, [1, 2, 3]), (5, [1, 2, 3, 40])] as [(Int, JSONValue)] {
                    let past = try await reactor.get("v", at: .revisions([Scope.global: revision]))
                    #expect(past.state[Scope.global]?["items"] == items, "revision \(revision)")
                    if revision > 0 { #expect(past.hashes[Scope.global] == ops[revision - 1].hash, "revision \(revision)") }
                }
                let created = try await reactor.get("v", at: .revisions([Scope.document: 1, Scope.global: 3]))
                #expect(created.header.modelVersion == 1)
                let diff = try await reactor.diff("v", scope: Scope.global, from: 2, to: 5)
                #expect(diff.patch == [.add("/items/2", 3), .add("/items/3", 40)])
            }
    }

    @Test func badPointsAreTypedErrors() async throws {
        try await Self.builder(.memory).withReactor { module in
            let reactor = module.reactor
            let created = try await reactor.createCounter(id: "c")
            try await reactor.executeAndWait("c", [Counter.add(1), Counter.add(2)])
            func failure(_ point: DocumentPoint) async -> ReactorError? {
                do { _ = try await reactor.get("c", at: point); return nil } catch { return error as? ReactorError }
            }
            for (point, path) in [(DocumentPoint.revisions([Scope.global: 3]), "revision"), (.revisions([Scope.global: -1]), "revision"),
                                  (.revisions(["nope": 0]), "revision"), (.revisions([Scope.document: 2]), "revision"),
                                  (.time(created.header.createdAt - 1), "at"), (.time(Int64.min), "at")] {
                let error = await failure(point)
                #expect(error?.code == .invalidArgument, "\(point): \(String(describing: error))")
                #expect(error?.details["path"] == path, "\(point)")
            }
            #expect(await failure(.revisions([Scope.global: 3]))?.details["currentRevision"] == "2")
            await #expect(throws: ReactorError.documentNotFound("missing")) { try await reactor.get("missing", at: .time(0)) }
            await #expect(throws: ReactorError.documentNotFound("missing")) { try await reactor.diff("missing", scope: Scope.global, from: 0, to: 0) }
            for (scope, from, to, path) in [("nope", 0, 1, "scope"), (Scope.global, -1, 1, "from"), (Scope.global, 0, 3, "to")] {
                let error = try await #require(throws: ReactorError.self) { try await reactor.diff("c", scope: scope, from: from, to: to) }
                #expect(error.code == .invalidArgument)
                #expect(error.details["path"] == path)
            }
        }
    }

    /// Another branch reads its own streams at their revisions, and the home branch's `document` scope.
    @Test func branchesTravelOnTheirOwnStreams() async throws {
        try await Self.builder(.memory).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "c")
            try await reactor.executeAndWait("c", [Counter.add(1)])
            for amount in [10, 20, 30] {
                _ = try await reactor.waitForJob(try await reactor.execute("c", branch: "dev", actions: [Counter.add(amount)]).id)
            }
            let dev = try await reactor.get("c", at: .revisions([Scope.global: 2]), branch: "dev")
            #expect(dev.header.branch == "dev")
            #expect(Counter.value(dev) == 30)
            #expect(Counter.value(try await reactor.get("c", at: .revisions([Scope.global: 1]))) == 1)
            #expect(Counter.value(try await reactor.get("c", at: .revisions([Scope.global: 0]), branch: "dev")) == 0)
            let diff = try await reactor.diff("c", scope: Scope.global, from: 1, to: 3, branch: "dev")
            #expect(diff.branch == "dev")
            #expect(diff.patch == [.replace("/value", 60)])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func diffsTurnOneRevisionIntoAnother(_ kind: StoreKind) async throws {
        try await Self.builder(kind).withReactor { module in
            let reactor = module.reactor
            let recorded = try await Self.history(reactor)
            module.writeCache.removeAll()
            for a in recorded {
                for b in recorded {
                    let diff = try await reactor.diff("stack", scope: Scope.global, from: a.revision, to: b.revision)
                    #expect(try JSONPatch.apply(diff.patch, to: a.state ?? .null) == b.state, "\(a.revision) → \(b.revision)")
                    if a.revision > 0 { #expect(diff.fromHash == a.hash) }
                    if b.revision > 0 { #expect(diff.toHash == b.hash) }
                    #expect(diff.patch.isEmpty == (a.state == b.state))
                }
            }
            let initial = try await reactor.diff("stack", scope: Scope.global, from: 0, to: 0)
            #expect(initial.fromHash == StateHash.of(Stack.model().initialState(scope: Scope.global)))
            let system = try await reactor.diff("stack", scope: Scope.document, from: 0, to: 1)
            #expect(system.patch == [.replace("", try #require(try await reactor.get("stack", at: .revisions([Scope.document: 1])).state[Scope.document]))])
        }
    }

    /// Permissions: a document the principal cannot read is not found, at any point and for a diff.
    @Test func unreadableDocumentsAreNotFound() async throws {
        try await Self.builder(.memory).withReactor { module in
            let reactor = module.reactor
            let alice = AuthorizedReactor(reactor: reactor, principal: Principal(subject: "alice"))
            let bob = AuthorizedReactor(reactor: reactor, principal: Principal(subject: "bob"))
            _ = try await reactor.waitForJob(try await alice.create(NewDocument(id: "private", documentType: Counter.documentType, slug: "secret")).id)
            _ = try await reactor.waitForJob(try await alice.execute("private", actions: [Counter.add(5)]).id)
            #expect(Counter.value(try await alice.getByIdOrSlug("secret", at: .revisions([Scope.global: 1]))) == 5)
            #expect(try await alice.diff("private", scope: Scope.global, from: 0, to: 1).patch == [.replace("/value", 5)])
            for identifier in ["private", "secret"] {
                await #expect(throws: ReactorError.documentNotFound(identifier)) {
                    try await bob.getByIdOrSlug(identifier, at: .revisions([Scope.global: 1]))
                }
                await #expect(throws: ReactorError.documentNotFound(identifier)) {
                    try await bob.diff(identifier, scope: Scope.global, from: 0, to: 1)
                }
            }
        }
    }

    /// What a read at a revision costs: the operations after the newest keyframe at or before it (a keyframe every 10
    /// operations: at most 10 of 1,000), for a moment too, and for each end of a diff; never a replay from 0.
    @Test(arguments: StoreKind.allCases)
    func aReadCostsTheOperationsSinceItsKeyframe(_ kind: StoreKind) async throws {
        let store = CountingStore(try kind.makeStore())
        try await ReactorBuilder.testing().withStore(store).withKeyframeConfig(KeyframeConfig(interval: 10)).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "long")
            for batch in 0..<10 { try await reactor.executeAndWait("long", (0..<100).map { Counter.add(batch * 100 + $0) }) }
            let stream = StreamID(documentID: "long", scope: Scope.global)
            let ops = try await store.operations(in: stream, fromIndex: 0, limit: nil)
            #expect(ops.count == 1_000)
            for cold in [false, true] {
                if cold { module.writeCache.removeAll() }
                _ = try await reactor.get("long") // the current snapshot, which a read starts from (cached)
                store.resetCounts()
                let past = try await reactor.get("long", at: .revisions([Scope.global: 505]))
                #expect(Counter.value(past) == (0..<505).reduce(0, +))
                #expect(past.hashes[Scope.global] == ops[504].hash)
                #expect(store.operationsRead <= 10, "a read at 505 read \(store.operationsRead) operations")
                store.resetCounts()
                let atMoment = try await reactor.get("long", at: .time(ops[504].timestamp))
                #expect(atMoment.header.revision[Scope.global] == (ops.lastIndex { $0.timestamp <= ops[504].timestamp } ?? 0) + 1)
                #expect(store.operationsRead <= 10, "a read at a moment read \(store.operationsRead) operations")
                store.resetCounts()
                let diff = try await reactor.diff("long", scope: Scope.global, from: 505, to: 995)
                #expect(diff.patch == [.replace("/value", .number(Double((0..<995).reduce(0, +))))])
                #expect(store.operationsRead <= 20, "a diff read \(store.operationsRead) operations")
            }
        }
    }
}
