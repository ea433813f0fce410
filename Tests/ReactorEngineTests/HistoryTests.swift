import ReactorCore
import ReactorEngine
import ReactorModels
import Testing

@Suite(.timeLimit(.minutes(3))) struct HistoryTests {
    /// Scenario 6: undo twice, redo once, prune — states and hashes equal a fresh replay of the effective history.
    @Test(arguments: StoreKind.allCases)
    func undoRedoPruneMatchFreshReplay(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter()
            for amount in [1, 10, 100, 1_000] { try await reactor.executeAndWait(doc.id, [Counter.add(amount)]) }
            #expect(Counter.value(try await reactor.get(doc.id)) == 1_111)

            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.undo)])
            #expect(Counter.value(try await reactor.get(doc.id)) == 111)
            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.undo)])
            #expect(Counter.value(try await reactor.get(doc.id)) == 11)
            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.redo)])
            let redone = try await reactor.get(doc.id)
            #expect(Counter.value(redone) == 111)

            // The effective history is now [1, 10, 100]: a fresh replay of exactly those gives the same hash.
            let fresh = try freshState([1, 10, 100])
            #expect(redone.state[Scope.global] == fresh)
            #expect(redone.hashes[Scope.global] == StateHash.of(fresh))

            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.prune)])
            let pruned = try await reactor.get(doc.id)
            #expect(pruned.state[Scope.global] == fresh)
            #expect(pruned.hashes[Scope.global] == StateHash.of(fresh))

            let ops = try await reactor.operations(OperationQuery(documentID: doc.id, scopes: [Scope.global])).items.map(\.operation)
            #expect(ops.map(\.action.type) == ["ADD", "ADD", "ADD", "ADD", "UNDO", "UNDO", "REDO", "PRUNE"])
            #expect(ops.map(\.skip) == [0, 0, 0, 0, 1, 1, 0, 3])
            #expect(ops.map(\.index) == Array(0..<8))

            // A fresh replay of the whole log agrees with every stored hash and with the document.
            var history = History(initialState: Counter.model.initialState(scope: Scope.global)) { s, a in
                try Counter.model.reduce(state: s, action: a)
            }
            for op in ops {
                _ = try history.apply(op.action, at: op.index)
                #expect(StateHash.of(history.state) == op.hash, "hash of operation \(op.index)")
            }
            #expect(try history.freshReplay() == pruned.state[Scope.global])
            #expect(history.steps.count == 1)

            // After the prune nothing is left to redo; undo returns to the initial state; a cold load agrees.
            let redo = try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.redo)])
            #expect(redo.status == .readReady)
            let lastOp = try await reactor.operations(OperationQuery(documentID: doc.id, scopes: [Scope.global], fromIndex: 8)).items.first
            #expect(lastOp?.operation.error == "nothing to redo")
            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.undo)])
            #expect(Counter.value(try await reactor.get(doc.id)) == 0)
            module.writeCache.removeAll()
            let cold = try await reactor.get(doc.id)
            #expect(Counter.value(cold) == 0)
            #expect(cold.header.revision[Scope.global] == 10)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func newActionClearsRedo(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter()
            try await reactor.executeAndWait(doc.id, [Counter.add(1), Counter.add(2)])
            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.undo), Counter.add(5), Action(type: BaseAction.redo)])
            let after = try await reactor.get(doc.id)
            #expect(Counter.value(after) == 6)
            let ops = try await reactor.operations(OperationQuery(documentID: doc.id, scopes: [Scope.global])).items.map(\.operation)
            #expect(ops.last?.error == "nothing to redo")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pruneFromAPosition(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let doc = try await reactor.createCounter()
            try await reactor.executeAndWait(doc.id, [Counter.add(1), Counter.add(2), Counter.add(4)])
            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.prune, input: ["start": 1])])
            #expect(Counter.value(try await reactor.get(doc.id)) == 7)
            // Undo removes the collapsed step (2 and 4 together), keeping 1.
            try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.undo)])
            #expect(Counter.value(try await reactor.get(doc.id)) == 1)
            let bad = try await reactor.executeAndWait(doc.id, [Action(type: BaseAction.prune, input: ["start": 9])])
            #expect(bad.status == .readReady)
            let ops = try await reactor.operations(OperationQuery(documentID: doc.id, scopes: [Scope.global])).items
            #expect(ops.last?.operation.error?.contains("outside the effective history") == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func upgradeTransformsStateAndIsABarrier(_ kind: StoreKind) async throws {
        let v2 = TypedDocumentModel(documentType: Counter.documentType, version: 2, initialState: Counter.State(value: 0))
            .on("ADD", input: Counter.Amount.self) { state, input, _ in state.value += input.amount * 2 }
        let manifest = UpgradeManifest(documentType: Counter.documentType, fromVersion: 1, toVersion: 2) { scope, state in
            guard scope == Scope.global, var o = state.objectValue else { return state }
            o["value"] = .number(Double((o["value"]?.intValue ?? 0) * 100))
            return .object(o)
        }
        let builder = ReactorBuilder().withDocumentModels([Counter.model]).withDocumentModels([v2]).withUpgradeManifests([manifest])
        try await builder.withReactor { module in
            let reactor = module.reactor
            let job = try await reactor.create(NewDocument(id: "u", documentType: Counter.documentType, modelVersion: 1))
            _ = try await reactor.waitForJob(job.id)
            try await reactor.executeAndWait("u", [Counter.add(3)])
            let info = try await reactor.executeAndWait("u", [Action(type: SystemAction.upgrade, scope: Scope.document, input: ["toVersion": 2])])
            #expect(info.status == .readReady)
            let upgraded = try await reactor.get("u")
            #expect(upgraded.header.modelVersion == 2)
            #expect(Counter.value(upgraded) == 300)
            try await reactor.executeAndWait("u", [Counter.add(1)])
            #expect(Counter.value(try await reactor.get("u")) == 302)
            try await reactor.executeAndWait("u", [Action(type: BaseAction.undo), Action(type: BaseAction.undo)])
            #expect(Counter.value(try await reactor.get("u")) == 300)
            module.writeCache.removeAll()
            #expect(Counter.value(try await reactor.get("u")) == 300)
        }
    }

    private func freshState(_ amounts: [Int]) throws -> JSONValue {
        var state = Counter.model.initialState(scope: Scope.global)
        for a in amounts { state = try Counter.model.reduce(state: state, action: Counter.add(a)) }
        return state
    }
}
