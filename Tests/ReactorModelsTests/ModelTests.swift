import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorTesting
import Testing

@Suite(.timeLimit(.minutes(3))) struct TodoListTests {
    let model = TodoList.model

    func run(_ actions: [Action]) throws -> (TodoList.State, [String?]) {
        var state = model.initialState(scope: Scope.global)
        var errors: [String?] = []
        for action in actions {
            try model.validate(action)
            do {
                state = try model.reduce(state: state, action: action)
                errors.append(nil)
            } catch {
                errors.append("\(error)")
            }
        }
        return (try JSONValueCoder.decode(TodoList.State.self, from: state), errors)
    }

    @Test func addUpdateToggleDeleteClear() throws {
        let (state, errors) = try run([
            TodoList.addTodo(id: "a", text: "one"), TodoList.addTodo(id: "b", text: "two"), TodoList.addTodo(id: "c", text: "three"),
            TodoList.updateTodo(id: "a", text: "uno"), TodoList.toggleTodo(id: "b"), TodoList.updateTodo(id: "c", done: true),
            TodoList.deleteTodo(id: "a"), TodoList.setTitle("list"), TodoList.clearCompleted(),
        ])
        #expect(errors.allSatisfy { $0 == nil })
        #expect(state == TodoList.State(title: "list", items: []))
    }

    @Test func businessRuleViolationsAreReducerErrors() throws {
        let (state, errors) = try run([
            TodoList.addTodo(id: "a", text: "one"), TodoList.addTodo(id: "a", text: "again"), TodoList.addTodo(id: "b", text: ""),
            TodoList.toggleTodo(id: "zzz"), TodoList.deleteTodo(id: "zzz"),
        ])
        #expect(errors.map { $0 != nil } == [false, true, true, true, true])
        #expect(state.items.map(\.id) == ["a"])
    }

    @Test func malformedInputIsInvalidInput() {
        #expect { try model.validate(Action(type: "ADD_TODO", input: ["id": "x"])) } throws: {
            ($0 as? ReactorError)?.code == .invalidInput && ($0 as? ReactorError)?.details["path"] == "input.text"
        }
        #expect { try model.validate(Action(type: "TOGGLE_TODO", input: ["id": 5])) } throws: { ($0 as? ReactorError)?.code == .invalidInput }
        #expect { try model.validate(Action(type: "NOPE")) } throws: { ($0 as? ReactorError)?.code == .unknownAction }
        #expect { try model.validate(Action(type: "ADD_TODO", scope: Scope.local, input: ["id": "x", "text": "y"])) } throws: {
            ($0 as? ReactorError)?.code == .unknownAction
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct DriveTests {
    let model = Drive.model

    func run(_ actions: [Action]) throws -> (Drive.State, [Bool]) {
        var state = model.initialState(scope: Scope.global)
        var ok: [Bool] = []
        for action in actions {
            try model.validate(action)
            if let next = try? model.reduce(state: state, action: action) {
                state = next
                ok.append(true)
            } else {
                ok.append(false)
            }
        }
        return (try JSONValueCoder.decode(Drive.State.self, from: state), ok)
    }

    @Test func foldersFilesMovesAndDeletes() throws {
        let (state, ok) = try run([
            Drive.addFolder(id: "docs", name: "Docs"), Drive.addFolder(id: "sub", name: "Sub", parentFolder: "docs"),
            Drive.addFile(id: "f1", name: "List", documentType: TodoList.documentType, parentFolder: "sub"),
            Drive.addFile(id: "f2", name: "Other", documentType: TodoList.documentType),
            Drive.updateNode(id: "f2", name: "Renamed"), Drive.moveNode(id: "f2", to: "docs"),
            Drive.deleteNode(id: "sub"),
        ])
        #expect(ok.allSatisfy { $0 })
        #expect(state.nodes.map(\.id) == ["docs", "f2"])
        #expect(state.node("f2")?.parentFolder == "docs")
        #expect(state.node("f2")?.name == "Renamed")
    }

    @Test func invalidTreeChangesAreRefused() throws {
        let (state, ok) = try run([
            Drive.addFolder(id: "a", name: "A"), Drive.addFolder(id: "b", name: "B", parentFolder: "a"),
            Drive.moveNode(id: "a", to: "b"),  // into its own descendant
            Drive.addFile(id: "f", name: "F", documentType: "t"), Drive.addFolder(id: "c", name: "C", parentFolder: "f"),  // file as parent
            Drive.addFolder(id: "a", name: "dup"), Drive.addFolder(id: "x", name: "X", parentFolder: "missing"),
            Drive.updateNode(id: "a", name: ""),
        ])
        #expect(ok == [true, true, false, true, false, false, false, false])
        #expect(state.nodes.count == 3)
    }

    @Test func driveWithChildDocumentsThroughTheReactor() async throws {
        try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withReactor { module in
            let client = ReactorClient(reactor: module.reactor)
            let drive = try await client.createEmpty(Drive.documentType)
            var files: [String] = []
            for i in 0..<5 {
                files.append(try await client.createDocumentInDrive(drive.id, NewDocument(documentType: TodoList.documentType, name: "L\(i)")).id)
            }
            let state = try Drive.model.state(of: try await client.get(drive.id))
            #expect(state.nodes.filter { $0.kind == .file }.map(\.id) == files)
            #expect(Set(try await module.reactor.children(of: drive.id)) == Set(files))
            for f in files { #expect(try await module.reactor.parents(of: f) == [drive.id]) }
        }
    }

    @Test func fileDocumentsReferenceBlobs() async throws {
        let blobs = InMemoryBlobStore()
        let bucket = try BucketName("drive-files")
        _ = try await blobs.createBucket(bucket, access: .private)
        let bytes = Array("quarterly numbers".utf8)
        let info = try await blobs.put(try BlobKey("reports/q3.csv"), in: bucket, bytes: bytes, options: BlobPutOptions(contentType: "text/csv"))
        let reference = try #require(Drive.BlobReference(info))
        try await ReactorBuilder().withDocumentModels(BuiltInModels.all).withReactor { module in
            let client = ReactorClient(reactor: module.reactor)
            let drive = try await client.createEmpty(Drive.documentType)
            let file = try await client.createDocumentInDrive(drive.id, NewDocument(documentType: TodoList.documentType, name: "Q3"))
            _ = try await client.execute(drive.id, actions: [Drive.setFileBlob(id: file.id, blob: reference)])
            let node = try #require(try Drive.model.state(of: try await client.get(drive.id)).node(file.id))
            #expect(node.blob == reference)
            // The reference finds the bytes, and the bytes match it.
            let stored = try #require(node.blob)
            let fetched = try await blobs.bytes(try BlobKey(stored.key), in: try BucketName(stored.bucket))
            #expect(fetched == bytes && stored.size == Int64(bytes.count) && stored.contentType == "text/csv")
            #expect(try BlobStoreConformance.sha256(fetched) == stored.sha256)
            _ = try await client.execute(drive.id, actions: [Drive.setFileBlob(id: file.id, blob: nil)])
            #expect(try Drive.model.state(of: try await client.get(drive.id)).node(file.id)?.blob == nil)
        }
    }

    @Test func invalidBlobReferencesAreRefused() throws {
        let good = Drive.BlobReference(bucket: "files", key: "a/b.txt", size: 3, contentType: "text/plain", sha256: String(repeating: "a", count: 64))
        var badKey = good, badBucket = good, badSize = good, badSHA = good, badType = good
        badKey.key = "../etc/passwd"
        badBucket.bucket = "No"
        badSize.size = -1
        badSHA.sha256 = String(repeating: "A", count: 64)
        badType.contentType = ""
        let (state, ok) = try run([
            Drive.addFolder(id: "d", name: "D"), Drive.addFile(id: "f", name: "F", documentType: "t"),
            Drive.setFileBlob(id: "f", blob: good), Drive.setFileBlob(id: "d", blob: good), Drive.setFileBlob(id: "missing", blob: good),
            Drive.setFileBlob(id: "f", blob: badKey), Drive.setFileBlob(id: "f", blob: badBucket), Drive.setFileBlob(id: "f", blob: badSize),
            Drive.setFileBlob(id: "f", blob: badSHA), Drive.setFileBlob(id: "f", blob: badType),
        ])
        #expect(ok == [true, true, true, false, false, false, false, false, false, false])
        #expect(state.node("f")?.blob == good && state.node("d")?.blob == nil)
    }
}
