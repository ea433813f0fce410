import ReactorCore
import ReactorEngine
import ReactorModels
import Testing

@Suite(.timeLimit(.minutes(3))) struct SigningTests {
    @Test(arguments: [SignatureAlgorithm.ed25519, .p256])
    func signedActionsVerify(_ algorithm: SignatureAlgorithm) async throws {
        let signer: any Signer = algorithm == .ed25519 ? Ed25519Signer(name: "ann") : P256Signer(name: "ann")
        let builder = ReactorBuilder.testing().withSignatureVerifier(CryptoSignatureVerifier(requireSignatures: true))
        try await builder.withReactor { module in
            let reactor = module.reactor
            let created = try await reactor.create(NewDocument(id: "s", documentType: Counter.documentType), signer: signer)
            _ = try await reactor.waitForJob(created.id)
            #expect(try await reactor.get("s").header.signer?.publicKey == signer.info.publicKey)
            let ok = try await reactor.execute("s", actions: [Counter.add(1)], signer: signer)
            _ = try await reactor.waitForJob(ok.id)

            let unsigned = try await reactor.execute("s", actions: [Counter.add(1)])
            #expect(try await module.jobTracker.wait(for: unsigned.id, timeout: .seconds(5)).error?.code == .signatureRequired)

            var forged = try signer.sign(Counter.add(1), documentID: "s")
            forged.input = ["amount": 1_000]  // tampered after signing
            let tampered = try await reactor.execute("s", actions: [forged])
            #expect(try await module.jobTracker.wait(for: tampered.id, timeout: .seconds(5)).error?.code == .invalidSignature)

            // A signature made for one document does not verify on another, nor on another branch of the same one.
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "t", documentType: Counter.documentType), signer: signer).id)
            let forT = try signer.sign(Counter.add(5), documentID: "t")
            let replayed = try await reactor.execute("s", actions: [forT])
            #expect(try await module.jobTracker.wait(for: replayed.id, timeout: .seconds(5)).error?.code == .invalidSignature)
            let forBranch = try signer.sign(Counter.add(5), documentID: "s", branch: "b2")
            let otherBranch = try await reactor.execute("s", actions: [forBranch])
            #expect(try await module.jobTracker.wait(for: otherBranch.id, timeout: .seconds(5)).error?.code == .invalidSignature)

            // A signature of the first, unbound format is refused with its own code.
            var legacy = try signer.sign(Counter.add(1), documentID: "s")
            legacy.context?.signatures[0].version = nil
            let old = try await reactor.execute("s", actions: [legacy])
            #expect(try await module.jobTracker.wait(for: old.id, timeout: .seconds(5)).error?.code == .signatureVersionUnsupported)
            #expect(Counter.value(try await reactor.get("s")) == 1)
        }
    }

    @Test func trustedKeysOnly() throws {
        let trusted = Ed25519Signer()
        let other = Ed25519Signer()
        let verifier = CryptoSignatureVerifier(requireSignatures: true, trustedPublicKeys: [trusted.info.publicKey])
        try verifier.verify(try trusted.sign(Counter.add(1), documentID: "d"), documentID: "d", branch: Branch.main)
        #expect(throws: ReactorError.self) { try verifier.verify(try other.sign(Counter.add(1), documentID: "d"), documentID: "d", branch: Branch.main) }
    }
}

@Suite(.timeLimit(.minutes(3))) struct ClientTests {
    @Test(arguments: StoreKind.allCases)
    func clientConveniences(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let client = ReactorClient(reactor: module.reactor, signer: Ed25519Signer())
            let drive = try await client.createEmpty(Drive.documentType, slug: "my-drive", name: "Drive")
            _ = try await client.execute("my-drive", actions: [Drive.addFolder(id: "f1", name: "Docs")])
            let file = try await client.createDocumentInDrive("my-drive", NewDocument(documentType: TodoList.documentType, name: "Tasks"), parentFolder: "f1")
            let driveState = try Drive.model.state(of: try await client.get(drive.id))
            #expect(driveState.node(file.id)?.parentFolder == "f1")
            #expect(driveState.node(file.id)?.kind == .file)
            #expect(try await client.children(of: "my-drive").items.map(\.id) == [file.id])

            let renamed = try await client.rename(file.id, to: "Chores")
            #expect(renamed.header.name == "Chores")
            let list = try await client.execute(file.id, actions: [TodoList.addTodo(id: "1", text: "milk"), TodoList.toggleTodo(id: "1")])
            #expect(try TodoList.model.state(of: list).items == [TodoList.Item(id: "1", text: "milk", done: true)])

            let other = try await client.createEmpty(Drive.documentType)
            let moved = try await client.moveChildren([file.id], from: drive.id, to: other.id)
            #expect(try await module.reactor.children(of: moved.target.id) == [file.id])
            #expect(try await module.reactor.children(of: moved.source.id).isEmpty)

            let extra = try await client.createEmpty(TodoList.documentType)
            try await client.deleteDocuments([file.id, extra.id])
            await #expect(throws: ReactorError.self) { _ = try await client.get(file.id) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func subscriptionsSeeMatchingChanges(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let client = ReactorClient(reactor: module.reactor)
            let changes = try await client.subscribe(DocumentQuery(documentType: TodoList.documentType))
            let list = try await client.createEmpty(TodoList.documentType)
            _ = try await client.createEmpty(Drive.documentType)  // not matching
            _ = try await client.execute(list.id, actions: [TodoList.addTodo(id: "a", text: "one")])
            try await client.delete(list.id)
            var kinds: [DocumentChange.Kind] = []
            for try await change in changes {
                #expect(change.documentID == list.id)
                kinds.append(change.kind)
                if kinds.count == 3 { break }
            }
            #expect(kinds == [.created, .updated, .deleted])
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct DefaultSignerTests {
    @Test(arguments: StoreKind.allCases)
    func builderSignerSignsEverything(_ kind: StoreKind) async throws {
        let signer = P256Signer(name: "app")
        let builder = try ReactorBuilder.testing(kind).withSigner(signer)
            .withSignatureVerifier(CryptoSignatureVerifier(requireSignatures: true, trustedPublicKeys: [signer.info.publicKey]))
        try await builder.withReactor { module in
            let doc = try await module.reactor.createCounter()
            try await module.reactor.executeAndWait(doc.id, [Counter.add(2)])
            let ops = try await module.reactor.operations(OperationQuery(documentID: doc.id)).items
            #expect(ops.allSatisfy { $0.operation.action.context?.signatures.first?.publicKey == signer.info.publicKey })
            #expect(Counter.value(try await module.reactor.get(doc.id)) == 2)
        }
    }
}
