import ReactorCore
@testable import ReactorEngine
import ReactorMemory
import ReactorTesting
import Synchronization
import Testing

/// Document permissions through `AuthorizedReactor` (the one place they are enforced) on each store: creators,
/// grants set by system actions, inheritance through `child` relationships, searches, batches, the access index kept
/// current by commits.
@Suite(.timeLimit(.minutes(3))) struct AuthorizedReactorTests {
    static let alice = Principal(subject: "alice")
    static let bob = Principal(subject: "bob")

    static func grant(_ principal: String, _ capability: Capability) -> Action {
        Action(type: SystemAction.setPermission, scope: Scope.document,
               input: ["principal": .string(principal), "capability": .string(capability.rawValue)])
    }

    static func revoke(_ principal: String) -> Action {
        Action(type: SystemAction.removePermission, scope: Scope.document, input: ["principal": .string(principal)])
    }

    /// Runs `job` (submitted as the principal) to its end; throws its error.
    static func run(_ reactor: Reactor, _ job: @autoclosure () async throws -> JobInfo) async throws -> JobInfo {
        let info = try await reactor.jobTracker.wait(for: try await job().id, until: .readReady, timeout: .seconds(30))
        if let error = info.error { throw error }
        return info
    }

    static func code(_ body: () async throws -> Void) async -> ReactorError.Code? {
        do { try await body(); return nil } catch let error as ReactorError { return error.code } catch { return .internal }
    }

    /// A store that fails while a document's access is read: the read fails with the store's error, not
    /// DOCUMENT_NOT_FOUND for a document that exists, and a search fails instead of leaving documents out.
    @Test func aStoreFailureWhileCheckingAccessIsTheStoresError() async throws {
        final class FailingAccessStore: ForwardingStore, @unchecked Sendable {
            let failing = Mutex(false)
            override func relationships(to targetID: String, type: String?) async throws -> [Relationship] {
                if failing.withLock({ $0 }) { throw ReactorError(.storageUnavailable, "the store is down", isTransient: true) }
                return try await base.relationships(to: targetID, type: type)
            }
        }
        let store = FailingAccessStore(InMemoryStore())
        try await ReactorBuilder().withDocumentModels([Counter.model]).withStore(store).withReactor { module in
            let reactor = module.reactor
            let alice = AuthorizedReactor(reactor: reactor, principal: Self.alice)
            _ = try await Self.run(reactor, try await alice.create(NewDocument(id: "list", documentType: Counter.documentType, slug: "groceries")))
            reactor.access.invalidateAll()
            store.failing.withLock { $0 = true }
            #expect(await Self.code { _ = try await alice.get("list") } == .storageUnavailable)
            #expect(await Self.code { _ = try await alice.getByIdOrSlug("groceries") } == .storageUnavailable)
            #expect(await Self.code { _ = try await alice.find(DocumentQuery(documentType: Counter.documentType)) } == .storageUnavailable)
            // Live streams have no request to fail: there the document is left out.
            #expect(await !alice.canRead("list"))
            store.failing.withLock { $0 = false }
            #expect(try await alice.get("list").id == "list")
            #expect(try await alice.find(DocumentQuery(documentType: Counter.documentType)).items.map(\.id) == ["list"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func grantsShareAndRevokeAccess(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let alice = AuthorizedReactor(reactor: reactor, principal: Self.alice)
            let bob = AuthorizedReactor(reactor: reactor, principal: Self.bob)
            _ = try await Self.run(reactor, try await alice.create(NewDocument(id: "list", documentType: Counter.documentType, slug: "groceries")))
            let created = try await alice.get("list")
            #expect(created.state[Scope.document]?["createdBy"] == "alice")
            #expect(created.state[Scope.document]?["grants"] == nil)

            // Invisible to bob, by id and by slug; a write is refused before it is queued.
            #expect(await Self.code { _ = try await bob.get("list") } == .documentNotFound)
            #expect(await Self.code { _ = try await bob.getByIdOrSlug("groceries") } == .documentNotFound)
            #expect(await Self.code { _ = try await bob.operations(OperationQuery(documentID: "list")) } == .documentNotFound)
            #expect(await Self.code { _ = try await bob.execute("list", actions: [Counter.add(1)]) } == .documentNotFound)
            #expect(await Self.code { _ = try await bob.deleteDocument("list") } == .documentNotFound)
            #expect(await Self.code { _ = try await AuthorizedReactor(reactor: reactor, principal: .anonymous).get("list") } == .unauthenticated)

            // Read: bob sees it and cannot change it (403 now that he knows it).
            _ = try await Self.run(reactor, try await alice.execute("list", actions: [Self.grant("user:bob", .read)]))
            #expect(try await bob.getByIdOrSlug("groceries").id == "list")
            #expect(await Self.code { _ = try await bob.execute("list", actions: [Counter.add(1)]) } == .forbidden)

            // Write: bob changes it, but cannot share it or delete it.
            _ = try await Self.run(reactor, try await alice.execute("list", actions: [Self.grant("user:bob", .write)]))
            _ = try await Self.run(reactor, try await bob.execute("list", actions: [Counter.add(2)]))
            #expect(Counter.value(try await bob.get("list")) == 2)
            #expect(await Self.code { _ = try await bob.execute("list", actions: [Self.grant("user:bob", .administer)]) } == .forbidden)
            #expect(await Self.code { _ = try await bob.deleteDocument("list") } == .forbidden)

            // The last matching grant wins: a later `authenticated: none` hides it again; anyone may then read it.
            _ = try await Self.run(reactor, try await alice.execute("list", actions: [Self.grant("authenticated", .none)]))
            #expect(await Self.code { _ = try await bob.get("list") } == .documentNotFound)
            _ = try await Self.run(reactor, try await alice.execute("list", actions: [Self.revoke("authenticated"), Self.grant("anyone", .read)]))
            #expect(Counter.value(try await AuthorizedReactor(reactor: reactor, principal: .anonymous).get("list")) == 2)
            #expect(try await bob.get("list").state[Scope.document]?["grants"] == [
                ["principal": "user:bob", "capability": "write"], ["principal": "anyone", "capability": "read"],
            ])

            // Revoked: gone for bob; the admin role and the creator still administer.
            _ = try await Self.run(reactor, try await alice.execute("list", actions: [Self.revoke("user:bob"), Self.revoke("anyone")]))
            #expect(await Self.code { _ = try await bob.get("list") } == .documentNotFound)
            let root = AuthorizedReactor(reactor: reactor, principal: Principal(subject: "root", roles: ["admin"]))
            #expect(try await root.capability(on: "list") == .administer)
            _ = try await Self.run(reactor, try await alice.deleteDocument("list"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func childrenInheritThroughTheDriveAndLinksNeedTheChildsAdministrator(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let alice = AuthorizedReactor(reactor: reactor, principal: Self.alice)
            let bob = AuthorizedReactor(reactor: reactor, principal: Self.bob)
            for id in ["drive", "file"] {
                _ = try await Self.run(reactor, try await alice.create(NewDocument(id: id, documentType: Counter.documentType)))
            }
            _ = try await Self.run(reactor, try await bob.create(NewDocument(id: "bobs", documentType: Counter.documentType)))
            _ = try await Self.run(reactor, try await alice.execute("drive", actions: [Self.grant("user:bob", .read)]))
            #expect(await Self.code { _ = try await bob.get("file") } == .documentNotFound)

            // Linked under the drive, the file inherits bob's read (the access index follows the relationship).
            _ = try await Self.run(reactor, try await alice.addChildren("drive", ["file"]))
            #expect(try await bob.get("file").id == "file")
            #expect(try await bob.children(of: "drive") == ["file"])
            #expect(try await bob.parents(of: "file") == ["drive"])

            // Bob may not pull alice's file under his own document (it would hand him her file), nor link into hers.
            #expect(await Self.code { _ = try await bob.addChildren("bobs", ["file"]) } == .forbidden)
            #expect(await Self.code { _ = try await bob.addChildren("drive", ["bobs"]) } == .forbidden)
            // Alice cannot see bob's document, so she cannot link it either: it does not exist for her.
            #expect(await Self.code { _ = try await alice.addChildren("drive", ["bobs"]) } == .documentNotFound)
            let relationships = try await bob.relationships(of: "drive")
            #expect(relationships.outgoing.map(\.targetID) == ["file"])

            _ = try await Self.run(reactor, try await alice.removeChildren("drive", ["file"]))
            #expect(await Self.code { _ = try await bob.get("file") } == .documentNotFound)
            #expect(try await bob.children(of: "drive") == [])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func searchesShowOnlyReadableDocumentsPageByPage(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let alice = AuthorizedReactor(reactor: reactor, principal: Self.alice)
            let bob = AuthorizedReactor(reactor: reactor, principal: Self.bob)
            // Interleaved: a, b, a, a, b, a, a, a, b
            for (i, who) in ["a", "b", "a", "a", "b", "a", "a", "a", "b"].enumerated() {
                let owner = who == "a" ? alice : bob
                _ = try await Self.run(reactor, try await owner.create(NewDocument(id: "\(who)\(i)", documentType: Counter.documentType)))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await bob.find(DocumentQuery(documentType: Counter.documentType), page: PageRequest(cursor: cursor, limit: 2))
                #expect(page.items.count <= 2)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ["b1", "b4", "b8"])
            #expect(try await alice.find(DocumentQuery(documentType: Counter.documentType), page: PageRequest(limit: 100)).items.count == 6)
            #expect(await Self.code { _ = try await AuthorizedReactor(reactor: reactor, principal: .anonymous).find(DocumentQuery()) } == .unauthenticated)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func batchesCreateForTheCallerAndNeverActOnSomeoneElsesDocument(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let alice = AuthorizedReactor(reactor: reactor, principal: Self.alice)
            let bob = AuthorizedReactor(reactor: reactor, principal: Self.bob)
            _ = try await Self.run(reactor, try await alice.create(NewDocument(id: "taken", documentType: Counter.documentType)))
            let create = { (id: String) in NewDocument(id: id, documentType: Counter.documentType).createAction }

            // A folder and a file created and linked in one batch: bob's, linked, readable by him.
            let jobs = try await bob.executeBatch([
                BatchJob(key: "folder", documentID: "folder", actions: [create("folder")]),
                BatchJob(key: "file", documentID: "bfile", actions: [create("bfile")]),
                BatchJob(key: "link", documentID: "folder", actions: [
                    Action(type: SystemAction.addRelationship, scope: Scope.document, input: ["targetId": "bfile"]),
                ], dependsOn: ["folder", "file"]),
            ])
            for info in jobs.values { _ = try await Self.run(reactor, info) }
            #expect(try await bob.children(of: "folder") == ["bfile"])
            #expect(try await bob.get("bfile").state[Scope.document]?["createdBy"] == "bob")

            // "Creating" alice's document and acting on it without depending on the create: refused up front.
            #expect(await Self.code {
                _ = try await bob.executeBatch([
                    BatchJob(key: "c", documentID: "taken", actions: [create("taken")]),
                    BatchJob(key: "w", documentID: "taken", actions: [Counter.add(5)]),
                ])
            } == .documentNotFound)
            // Naming someone else as the creator is refused.
            var forged = create("forged")
            forged.input = .object((forged.input.objectValue ?? [:]).merging(["createdBy": "alice"]) { $1 })
            #expect(await Self.code { _ = try await bob.executeBatch([BatchJob(key: "f", documentID: "forged", actions: [forged])]) } == .invalidInput)
            #expect(Counter.value(try await alice.get("taken")) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func syncedOperationsNeedTheSameRights(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let alice = AuthorizedReactor(reactor: reactor, principal: Self.alice)
            let bob = AuthorizedReactor(reactor: reactor, principal: Self.bob)
            _ = try await Self.run(reactor, try await alice.create(NewDocument(id: "doc", documentType: Counter.documentType)))
            let ops = try await reactor.operations(OperationQuery(documentID: "doc")).items
            let sync = ops.map {
                SyncOperation(documentID: "doc", documentType: Counter.documentType, scope: $0.stream.scope, branch: Branch.main, operation: $0.operation)
            }
            #expect(await Self.code { try await bob.checkIncoming(sync) } == .documentNotFound)
            try await alice.checkIncoming(sync)
            // A new document (the peer's own) may arrive.
            var fresh = sync
            for i in fresh.indices { fresh[i].documentID = "new-one" }
            try await bob.checkIncoming(fresh)
        }
    }

    @Test func grantActionsAreCheckedByTheReducer() async throws {
        try await ReactorBuilder.testing().withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.createCounter(id: "d")
            for bad: JSONValue in [["principal": "everyone", "capability": "read"], ["principal": "user:x", "capability": "own"], ["capability": "read"]] {
                let job = try await reactor.execute("d", actions: [Action(type: SystemAction.setPermission, scope: Scope.document, input: bad)])
                let info = try await reactor.jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(10))
                #expect(info.error?.code == .invalidInput, "\(bad)")
            }
            // Documents created without a creator keep the state they always had.
            #expect(try await reactor.get("d").state[Scope.document]?["createdBy"] == nil)
        }
    }
}

/// Grants are history: they sync with the document, and the receiving reactor enforces them the same way.
@Suite(.timeLimit(.minutes(3))) struct PermissionSyncTests {
    @Test func grantsTravelWithTheDocumentAndAreEnforcedOnThePeer() async throws {
        let f = SyncNetworkFixture()
        let a = try await f.builder("a").buildModule()
        let b = try await f.builder("b").buildModule()
        try await a.withRunning {
            try await b.withRunning {
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a")))
                let aliceOnA = AuthorizedReactor(reactor: a.reactor, principal: AuthorizedReactorTests.alice)
                _ = try await AuthorizedReactorTests.run(a.reactor, try await aliceOnA.create(NewDocument(id: "doc", documentType: Stack.documentType)))
                let bobOnB = AuthorizedReactor(reactor: b.reactor, principal: AuthorizedReactorTests.bob)
                try await eventually("the document reaches b", timeout: .seconds(30)) { try await SyncNetworkFixture.items(b.reactor, "doc") == [] }
                #expect(await AuthorizedReactorTests.code { _ = try await bobOnB.get("doc") } == .documentNotFound)
                #expect(try await AuthorizedReactor(reactor: b.reactor, principal: AuthorizedReactorTests.alice).capability(on: "doc") == .administer)

                _ = try await AuthorizedReactorTests.run(a.reactor, try await aliceOnA.execute("doc", actions: [AuthorizedReactorTests.grant("user:bob", .write)]))
                try await eventually("the grant reaches b", timeout: .seconds(30)) { await bobOnB.canRead("doc") }
                // Bob writes on b; it syncs back to a, where his grant is the same.
                _ = try await AuthorizedReactorTests.run(b.reactor, try await bobOnB.execute("doc", actions: [push(1)]))
                try await eventually("bob's write reaches a", timeout: .seconds(30)) { try await SyncNetworkFixture.items(a.reactor, "doc") == [1] }
                #expect(try await AuthorizedReactor(reactor: a.reactor, principal: AuthorizedReactorTests.bob).capability(on: "doc") == .write)
            }
        }
    }
}
