import ReactorCore
import ReactorEngine
import Testing

@Suite(.timeLimit(.minutes(3))) struct BatchTests {
    /// Scenario 5: B depends on A, A fails: B fails with a dependency error; independent C still runs.
    @Test(arguments: StoreKind.allCases)
    func failedDependencyFailsDependents(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let c = try await reactor.createCounter(id: "c")
            let result = try await reactor.executeBatch([
                BatchJob(key: "A", documentID: "missing-doc", actions: [Counter.add(1)]),
                BatchJob(key: "B", documentID: c.id, actions: [Counter.add(10)], dependsOn: ["A"]),
                BatchJob(key: "B2", documentID: c.id, actions: [Counter.add(100)], dependsOn: ["B"]),
                BatchJob(key: "C", documentID: c.id, actions: [Counter.add(1_000)]),
            ])
            let a = try await module.jobTracker.wait(for: result["A"]!.id, timeout: .seconds(10))
            let b = try await module.jobTracker.wait(for: result["B"]!.id, timeout: .seconds(10))
            let b2 = try await module.jobTracker.wait(for: result["B2"]!.id, timeout: .seconds(10))
            let cInfo = try await module.jobTracker.wait(for: result["C"]!.id, timeout: .seconds(10))
            #expect(a.error?.code == .documentNotFound)
            #expect(b.status == .failed)
            #expect(b.error?.code == .dependencyFailed)
            #expect(b.error?.details["dependencyId"] == a.id)
            #expect(b2.error?.code == .dependencyFailed)
            #expect(cInfo.status == .readReady)
            #expect(Counter.value(try await reactor.get("c")) == 1_000)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func dependenciesOrderExecution(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            let order = Collector<String>()
            module.eventBus.subscribe([.jobReadReady], delivery: .inline) { event in order.append(event.job!.documentID) }
            // The child document is created by a job that the drive's job depends on.
            let result = try await reactor.executeBatch([
                BatchJob(key: "link", documentID: "parent", actions: [
                    Action(type: SystemAction.addRelationship, scope: Scope.document, input: ["targetId": "child"]),
                ], dependsOn: ["parent", "child"]),
                BatchJob(key: "child", documentID: "child", actions: [NewDocument(id: "child", documentType: Counter.documentType).createAction]),
                BatchJob(key: "parent", documentID: "parent", actions: [NewDocument(id: "parent", documentType: Counter.documentType).createAction]),
            ])
            for info in result.values { _ = try await reactor.waitForJob(info.id) }
            #expect(order.values.last == "parent")
            #expect(try await reactor.children(of: "parent") == ["child"])
            #expect(try await reactor.parents(of: "child") == ["parent"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func cyclesAndUnknownKeysAreRejectedUpFront(_ kind: StoreKind) async throws {
        try await ReactorBuilder.testing(kind).withReactor { module in
            let reactor = module.reactor
            await #expect {
                _ = try await reactor.executeBatch([
                    BatchJob(key: "A", documentID: "a", actions: [Counter.add(1)], dependsOn: ["C"]),
                    BatchJob(key: "B", documentID: "b", actions: [Counter.add(1)], dependsOn: ["A"]),
                    BatchJob(key: "C", documentID: "c", actions: [Counter.add(1)], dependsOn: ["B"]),
                    BatchJob(key: "D", documentID: "d", actions: [Counter.add(1)]),
                ])
            } throws: { ($0 as? ReactorError)?.code == .dependencyCycle }
            await #expect {
                _ = try await reactor.executeBatch([BatchJob(key: "A", documentID: "a", actions: [], dependsOn: ["Z"])])
            } throws: { ($0 as? ReactorError)?.code == .unknownDependency }
            await #expect {
                _ = try await reactor.executeBatch([
                    BatchJob(key: "A", documentID: "a", actions: []), BatchJob(key: "A", documentID: "b", actions: []),
                ])
            } throws: { ($0 as? ReactorError)?.code == .duplicateKey }
            // Nothing was queued or tracked.
            #expect(module.queue.pendingCount == 0)
            #expect(module.jobTracker.count(where: Set(JobStatus.allCases)) == 0)
        }
    }
}
