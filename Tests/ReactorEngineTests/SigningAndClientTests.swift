import ReactorCore
import ReactorEngine
import ReactorModels
import Testing

@Suite(.timeLimit(.minutes(3))) struct SigningTests {
    @Test(arguments: [SignatureAlgorithm.ed25519, .p256])
    func signedActionsVerify(_ algorithm: SignatureAlgorithm) async throws {
        let signer: any Signer = algorithm == .ed25519 ? Ed25519Signer(name: "ann") : P256Signer(name: "ann")
        let builder = ReactorBuilder.testing().withSignatureVerifier(CryptoSignatureVerifier(mode: .required))
        try await builder.withReactor { module in
            let reactor = module.reactor
            let created = try await reactor.create(NewDocument(id: "s", documentType: Counter.documentType), signer: signer)
            _ = try await reactor.waitForJob(created.id)
            #expect(try await reactor.get("s").header.signer?.publicKey == signer.info.publicKey)
            let ok = try await reactor.execute("s", actions: [Counter.add(1)], signer: signer)
            _ = try await reactor.waitForJob(ok.id)

            // Refused when submitted: nothing is accepted, so nothing can be stored.
            try await expectRefused(.signatureRequired) { try await reactor.execute("s", actions: [Counter.add(1)]) }

            var forged = try signer.sign(Counter.add(1), documentID: "s")
            forged.input = ["amount": 1_000]  // tampered after signing
            try await expectRefused(.invalidSignature) { try await reactor.execute("s", actions: [forged]) }

            // A signature made for one document does not verify on another, nor on another branch of the same one.
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "t", documentType: Counter.documentType), signer: signer).id)
            let forT = try signer.sign(Counter.add(5), documentID: "t")
            try await expectRefused(.invalidSignature) { try await reactor.execute("s", actions: [forT]) }
            let forBranch = try signer.sign(Counter.add(5), documentID: "s", branch: "b2")
            try await expectRefused(.invalidSignature) { try await reactor.execute("s", actions: [forBranch]) }

            // A signature of the first, unbound format is refused with its own code.
            var legacy = try signer.sign(Counter.add(1), documentID: "s")
            legacy.context?.signatures[0].version = nil
            try await expectRefused(.signatureVersionUnsupported) { try await reactor.execute("s", actions: [legacy]) }
            // Operations loaded from elsewhere (an import, sync) are verified the same way.
            let operations = try await reactor.operations(OperationQuery(documentID: "s", scopes: [Scope.global])).items.map(\.operation)
            var loaded = operations[0]
            loaded.action.input = ["amount": 7]
            try await expectRefused(.invalidSignature) { try await reactor.load("t", operations: [loaded]) }
            #expect(Counter.value(try await reactor.get("s")) == 1)
        }
    }

    /// The default reactor verifies signatures that are present: the forged signature a client once got stored
    /// (`Zm9yZ2Vk`, "forged") is refused, and so is a signer without a signature or one that made none of them.
    @Test func theDefaultVerifiesWhatIsPresent() async throws {
        try await ReactorBuilder.testing().withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "d", documentType: Counter.documentType)).id)
            let signer = Ed25519Signer(name: "mallory")
            var forged = Counter.add(1)
            forged.context = ActionContext(signer: signer.info, signatures: [
                ActionSignature(algorithm: .ed25519, publicKey: signer.info.publicKey, signature: "Zm9yZ2Vk"),
            ])
            try await expectRefused(.invalidSignature) { try await reactor.execute("d", actions: [forged]) }

            var claimed = Counter.add(1)
            claimed.context = ActionContext(signer: signer.info)
            try await expectRefused(.invalidSignature) { try await reactor.execute("d", actions: [claimed]) }

            var borrowed = try Ed25519Signer().sign(Counter.add(1), documentID: "d")
            borrowed.context?.signer = signer.info  // a valid signature by another key, claimed by mallory
            try await expectRefused(.invalidSignature) { try await reactor.execute("d", actions: [borrowed]) }

            // Unsigned and properly signed actions are accepted.
            _ = try await reactor.waitForJob(try await reactor.execute("d", actions: [Counter.add(1)]).id)
            _ = try await reactor.waitForJob(try await reactor.execute("d", actions: [Counter.add(2)], signer: signer).id)
            #expect(Counter.value(try await reactor.get("d")) == 3)
            let stored = try await reactor.operations(OperationQuery(documentID: "d", scopes: [Scope.global])).items
            #expect(stored.count == 2)
            #expect(stored[1].operation.action.context?.signer == signer.info)
        }
    }

    /// `[signing] mode = "off"`: nothing checks signatures, so a signed action is refused rather than stored
    /// unchecked.
    @Test func offRefusesSignedActions() async throws {
        try await ReactorBuilder.testing().withSignatureVerifier(CryptoSignatureVerifier(mode: .off)).withReactor { module in
            let reactor = module.reactor
            _ = try await reactor.waitForJob(try await reactor.create(NewDocument(id: "d", documentType: Counter.documentType)).id)
            try await expectRefused(.signingDisabled) { try await reactor.execute("d", actions: [Counter.add(1)], signer: Ed25519Signer()) }
            _ = try await reactor.waitForJob(try await reactor.execute("d", actions: [Counter.add(1)]).id)
        }
    }

    @Test func trustedKeysOnly() throws {
        let trusted = Ed25519Signer()
        let other = Ed25519Signer()
        let verifier = CryptoSignatureVerifier(mode: .required, trustedPublicKeys: [trusted.info.publicKey])
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
            .withSignatureVerifier(CryptoSignatureVerifier(mode: .required, trustedPublicKeys: [signer.info.publicKey]))
        try await builder.withReactor { module in
            let doc = try await module.reactor.createCounter()
            try await module.reactor.executeAndWait(doc.id, [Counter.add(2)])
            let ops = try await module.reactor.operations(OperationQuery(documentID: doc.id)).items
            #expect(ops.allSatisfy { $0.operation.action.context?.signatures.first?.publicKey == signer.info.publicKey })
            #expect(Counter.value(try await module.reactor.get(doc.id)) == 2)
        }
    }
}

/// Expects `body` to throw a ``ReactorError`` with `code`.
func expectRefused(_ code: ReactorError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () async throws -> some Any) async throws {
    do {
        _ = try await body()
        Issue.record("expected \(code.rawValue), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ReactorError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    }
}
