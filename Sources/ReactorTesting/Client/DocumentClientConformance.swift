import ReactorCore

/// The conformance suite every ``DocumentClient`` passes: the in-process client over a `Reactor` and the remote one
/// over the HTTP server, with the same results and the same error codes.
///
/// It checks create and get (by id and by slug, the conflicts), execute (a reducer error recorded on the operation, a
/// validation error failing the write with one code), find and operations paging, children and parents, delete (then
/// `DOCUMENT_DELETED`), the jobs (submit, wait, a failed job's error), subscriptions (changes in order with positions;
/// a resume after a position replays exactly the missed changes) and sync (the remotes and their state, a wait for a
/// remote that cannot catch up). Documents are `reactor/todo-list` documents (the built-in model).
public enum DocumentClientConformance {
    /// Every case, in a stable order.
    public static var cases: [DocumentClientConformanceCase] {
        writeCases + readCases + jobCases + subscriptionCases + syncCases
    }

    /// The sync remote every reactor under test has: it pushes to an address where nothing answers.
    public static let unreachableRemote = "unreachable"

    /// The document type of the cases (the built-in to-do list).
    public static let todoList = "reactor/todo-list"

    static let writeCases: [DocumentClientConformanceCase] = [
        DocumentClientConformanceCase("create, then get by id and by slug") { client in
            let slug = "slug-\(RandomUUID.make().prefix(8))"
            let created = try await client.create(NewDocument(documentType: todoList, slug: slug, name: "Groceries"))
            try check(created.header.slug == slug && created.header.name == "Groceries" && created.header.documentType == todoList,
                      "create returned \(created.header)")
            let byID = try await client.get(created.id)
            let bySlug = try await client.get(slug)
            try check(byID.id == created.id && bySlug.id == created.id, "get by id and slug found \(byID.id), \(bySlug.id)")
            try check(byID.state == created.state && byID.header.revision == created.header.revision, "get differs from create's answer")
            let empty = try await client.createEmpty(todoList)
            try check(empty.header.documentType == todoList && empty.header.slug == nil, "createEmpty returned \(empty.header)")
            try await checkThrows(.documentExists, "creating an existing id") {
                _ = try await client.create(NewDocument(id: created.id, documentType: todoList))
            }
            try await checkThrows(.slugTaken, "creating with a taken slug") {
                _ = try await client.create(NewDocument(documentType: todoList, slug: slug))
            }
            try await checkThrows(.documentNotFound, "get of a missing document") { _ = try await client.get("no-such-document") }
            try await checkThrows(.unknownDocumentType, "creating an unknown type") {
                _ = try await client.create(NewDocument(documentType: "example/unknown"))
            }
        },
        DocumentClientConformanceCase("execute: a reducer error is recorded, a validation error fails the write") { client in
            let doc = try await client.createEmpty(todoList)
            let after = try await client.execute(doc.id, actions: [addTodo("a", "first")])
            try check(items(after) == 1, "after one ADD_TODO the state holds \(items(after)) items")
            // The reducer throws (a to-do with this id exists): the write succeeds, the operation records the error.
            let again = try await client.execute(doc.id, actions: [addTodo("a", "again")])
            try check(items(again) == 1, "a reducer error changed the state")
            let log = try await client.operations(of: doc.id, page: PageRequest(limit: 1_000)).items
            try check(log.last?.operation.error != nil && log.last?.operation.action.type == "ADD_TODO",
                      "the failed reduction is not recorded: \(String(describing: log.last?.operation))")
            // Refused by the model before anything is written.
            try await checkThrows(.unknownAction, "an unknown action") {
                _ = try await client.execute(doc.id, actions: [Action(type: "NOT_AN_ACTION", input: [:])])
            }
            try await checkThrows(.invalidInput, "an action whose input does not decode") {
                _ = try await client.execute(doc.id, actions: [Action(type: "ADD_TODO", input: ["id": "b"])])
            }
            let unchanged = try await client.get(doc.id)
            try check(unchanged.header.revision == again.header.revision, "a refused write changed the revision")
            try await checkThrows(.documentNotFound, "execute on a missing document") {
                _ = try await client.execute("no-such-document", actions: [addTodo("x", "x")])
            }
        },
        DocumentClientConformanceCase("delete, then get is DOCUMENT_DELETED") { client in
            let doc = try await client.createEmpty(todoList)
            try await client.delete(doc.id)
            try await checkThrows(.documentDeleted, "get after delete") { _ = try await client.get(doc.id) }
            try await checkThrows(.documentDeleted, "execute after delete") { _ = try await client.execute(doc.id, actions: [addTodo("x", "x")]) }
            let found = try await client.find(DocumentQuery(ids: [doc.id]))
            try check(found.items.isEmpty, "find returns a deleted document")
            try await checkThrows(.documentNotFound, "delete of a missing document") { try await client.delete("no-such-document") }
        },
    ]

    static let readCases: [DocumentClientConformanceCase] = [
        DocumentClientConformanceCase("find pages through every match once") { client in
            var ids: Set<String> = []
            for _ in 0..<5 { ids.insert(try await client.createEmpty(todoList).id) }
            var seen: [String] = []
            var page = PageRequest(limit: 2)
            var pages = 0
            while true {
                let result = try await client.find(DocumentQuery(ids: Array(ids)), page: page)
                try check(result.items.count <= 2, "a page of limit 2 holds \(result.items.count)")
                seen += result.items.map(\.id)
                pages += 1
                guard let next = result.nextCursor, pages < 10 else { break }
                page = PageRequest(cursor: next, limit: 2)
            }
            try check(seen.count == 5 && Set(seen) == ids, "paging found \(seen), expected \(ids.sorted())")
            try check(pages == 3, "5 matches in pages of 2 took \(pages) pages")
            let none = try await client.find(DocumentQuery(ids: ["no-such-document"]))
            try check(none.items.isEmpty && none.nextCursor == nil, "find of nothing returned \(none.items.count) items")
        },
        DocumentClientConformanceCase("operations page through the log in order") { client in
            let doc = try await client.createEmpty(todoList)
            for i in 0..<4 { _ = try await client.execute(doc.id, actions: [addTodo("t\(i)", "task \(i)")]) }
            let whole = try await client.operations(of: doc.id, page: PageRequest(limit: 1_000))
            var paged: [OperationRecord] = []
            var page = PageRequest(limit: 2)
            while true {
                let result = try await client.operations(of: doc.id, branch: Branch.main, page: page)
                paged += result.items
                guard let next = result.nextCursor, paged.count < 100 else { break }
                page = PageRequest(cursor: next, limit: 2)
            }
            try check(paged == whole.items, "paged operations differ from the whole log")
            let ordinals = paged.map(\.ordinal)
            try check(ordinals == ordinals.sorted() && Set(ordinals).count == ordinals.count, "ordinals out of order: \(ordinals)")
            let todos = paged.filter { $0.operation.action.type == "ADD_TODO" }.map(\.operation.index)
            try check(todos == [0, 1, 2, 3], "the global stream's indices are \(todos)")
        },
        DocumentClientConformanceCase("children and parents") { client in
            let parent = try await client.createEmpty(todoList, slug: "parent-\(RandomUUID.make().prefix(8))")
            let a = try await client.createEmpty(todoList)
            let b = try await client.createEmpty(todoList)
            _ = try await client.execute(parent.id, actions: [link(a.id), link(b.id)])
            let children = try await client.children(of: parent.header.slug ?? parent.id)
            try check(Set(children.items.map(\.id)) == [a.id, b.id], "children are \(children.items.map(\.id))")
            let first = try await client.children(of: parent.id, page: PageRequest(limit: 1))
            try check(first.items.count == 1 && first.nextCursor != nil, "a page of one child has \(first.items.count) and no next cursor")
            let parents = try await client.parents(of: a.id)
            try check(parents.items.map(\.id) == [parent.id], "parents are \(parents.items.map(\.id))")
            let orphan = try await client.parents(of: parent.id)
            try check(orphan.items.isEmpty, "a document without parents has \(orphan.items.count)")
            try await checkThrows(.documentNotFound, "children of a missing document") { _ = try await client.children(of: "no-such-document") }
        },
    ]

    static let jobCases: [DocumentClientConformanceCase] = [
        DocumentClientConformanceCase("submit, then wait for the job") { client in
            let doc = try await client.createEmpty(todoList)
            let job = try await client.submit(doc.id, actions: [addTodo("a", "first")])
            try check(job.documentID == doc.id && !job.id.isEmpty, "submit returned \(job)")
            let done = try await client.waitForJob(job.id, timeout: .seconds(30))
            try check(done.status == .readReady && done.consistencyToken != nil, "the waited job is \(done.status)")
            let read = try await client.job(job.id)
            try check(read.status == .readReady && read.id == job.id, "job() returned \(read.status)")
            try check(items(try await client.get(doc.id)) == 1, "the job's write is not visible")
            let failing = try await client.submit(doc.id, actions: [Action(type: "NOT_AN_ACTION")])
            try await checkThrows(.unknownAction, "waiting for a failed job") { _ = try await client.waitForJob(failing.id) }
            let failed = try await client.job(failing.id)
            try check(failed.status == .failed && failed.error?.code == .unknownAction, "the failed job reads as \(failed.status), \(String(describing: failed.error))")
            try await checkThrows(.jobNotFound, "a job that does not exist") { _ = try await client.job("no-such-job") }
        },
    ]

    static let subscriptionCases: [DocumentClientConformanceCase] = [
        DocumentClientConformanceCase("changes come in order with increasing positions") { client in
            let id = RandomUUID.make()
            let changes = try await client.changes(DocumentQuery(ids: [id]))
            let received = try await within(.seconds(30), "four changes") {
                var iterator = changes.makeAsyncIterator()
                _ = try await client.create(NewDocument(id: id, documentType: todoList))
                for i in 0..<3 { _ = try await client.execute(id, actions: [addTodo("t\(i)", "task \(i)")]) }
                var received: [DocumentChange] = []
                while received.count < 4, let change = try await iterator.next() { received.append(change) }
                return received
            }
            try check(received.map(\.kind) == [.created, .updated, .updated, .updated], "kinds \(received.map(\.kind))")
            try check(received.allSatisfy { $0.documentID == id }, "a change of another document")
            let positions = received.map(\.position)
            try check(positions == positions.sorted() && Set(positions).count == 4, "positions \(positions)")
            try check(received.allSatisfy { c in c.operations.allSatisfy { $0.ordinal <= c.position } }, "an operation beyond its change's position")
            try check(received.last.map(items) == 3, "the last change's document holds \(received.last.map(items) ?? -1) items")
        },
        DocumentClientConformanceCase("a resume after a position replays exactly the missed changes") { client in
            let doc = try await client.createEmpty(todoList)
            let query = DocumentQuery(ids: [doc.id])
            let first = try await client.changes(query)
            let seen = try await within(.seconds(30), "two live changes") {
                var iterator = first.makeAsyncIterator()
                for i in 0..<2 { _ = try await client.execute(doc.id, actions: [addTodo("a\(i)", "live \(i)")]) }
                var seen: [DocumentChange] = []
                while seen.count < 2, let change = try await iterator.next() { seen.append(change) }
                return seen
            }
            guard let resumeAfter = seen.last?.position else { throw ConformanceFailure("no change was delivered") }
            // Missed while no one listened.
            for i in 0..<3 { _ = try await client.execute(doc.id, actions: [addTodo("m\(i)", "missed \(i)")]) }
            let resumed = try await client.changes(query, after: resumeAfter)
            // A replay may merge consecutive operations of one document into one change: count the to-dos.
            let replayed = try await within(.seconds(30), "the replayed changes and one live") {
                var iterator = resumed.makeAsyncIterator()
                var replayed: [DocumentChange] = []
                while replayed.flatMap(addedTodos).count < 3, let change = try await iterator.next() { replayed.append(change) }
                _ = try await client.execute(doc.id, actions: [addTodo("l", "live after resume")])
                if let live = try await iterator.next() { replayed.append(live) }
                return replayed
            }
            let added = replayed.flatMap(addedTodos)
            try check(added == ["m0", "m1", "m2", "l"], "after the resume: \(added)")
            try check(replayed.allSatisfy { $0.position > resumeAfter }, "a change at or before the resume position came again")
            try await checkThrows(.invalidResumePosition, "a resume position beyond the newest operation") {
                _ = try await client.changes(query, after: Int64.max / 2)
            }
        },
    ]

    static let syncCases: [DocumentClientConformanceCase] = [
        DocumentClientConformanceCase("sync: the remotes, their state, a wait that times out") { client in
            let remotes = try await client.syncRemotes()
            try check(remotes.map(\.remote.name) == [unreachableRemote], "remotes are \(remotes.map(\.remote.name))")
            let remote = try await client.syncRemote(unreachableRemote)
            try check(remote.remote.options.push && !remote.remote.paused && remote.state != .connected && remote.state != .paused,
                      "the unreachable remote is \(remote.state)")
            try await checkThrows(.remoteNotFound, "a remote that does not exist") { _ = try await client.syncRemote("no-such-remote") }
            let doc = try await client.createEmpty(todoList)
            let job = try await client.submit(doc.id, actions: [addTodo("s", "to sync")])
            try await checkThrows(.syncTimeout, "waiting for a remote that cannot catch up") {
                _ = try await client.waitForSync(job.id, timeout: .milliseconds(300))
            }
        },
    ]

    // MARK: Helpers

    /// `ADD_TODO {id, text}`.
    static func addTodo(_ id: String, _ text: String) -> Action {
        Action(type: "ADD_TODO", input: ["id": .string(id), "text": .string(text)])
    }

    /// Makes `target` a child of the document the action is applied to.
    static func link(_ target: String) -> Action {
        Action(type: SystemAction.addRelationship, scope: Scope.document, input: ["targetId": .string(target), "type": .string("child")])
    }

    /// How many to-dos the document holds.
    static func items(_ document: Document) -> Int {
        document.state[Scope.global]?["items"]?.arrayValue?.count ?? -1
    }

    static func items(_ change: DocumentChange) -> Int { items(change.document) }

    /// The ids of the to-dos a change added, in order.
    static func addedTodos(_ change: DocumentChange) -> [String] {
        change.operations.filter { $0.operation.action.type == "ADD_TODO" }.compactMap { $0.operation.action.input["id"]?.stringValue }
    }
}
