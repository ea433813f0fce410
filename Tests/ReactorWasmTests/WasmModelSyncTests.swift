import Foundation
import ReactorCore
import ReactorEngine
import ReactorMemory
import ReactorModels
import ReactorTesting
import ReactorWasm
import Testing

/// A document of a WASM model synced between two reactors (in-process channels, real push and pull loops): writes on
/// both sides, concurrent ones included, converge to the same state and hash on both.
@Suite("WASM model sync", .timeLimit(.minutes(3)))
struct WasmModelSyncTests {
    @Test func twoReactorsConvergeOnAWasmModelDocument() async throws {
        guard let module = try await WasmTodo.module() else { return }
        let network = InProcessSyncNetwork()
        let config = SyncConfig(pageSize: 50, creationWait: .milliseconds(300), longPoll: .seconds(2), retryBase: .milliseconds(10), maxBackoff: .milliseconds(50))
        func builder(_ name: String) throws -> ReactorBuilder {
            ReactorBuilder().withDocumentModels([try WasmTodo.model(module)]).withStore(InMemoryStore()).withSync(config)
                .withSyncNetwork(network, name: name)
        }
        let a = try await builder("a").buildModule()
        let b = try await builder("b").buildModule()
        try await a.withRunning {
            try await b.withRunning {
                try await b.sync!.add(SyncRemote(name: "a", channel: SyncChannelConfig(url: "inprocess:a")))
                let created = try await a.reactor.create(NewDocument(id: "list", documentType: WasmTodo.documentType))
                _ = try await a.reactor.waitForJob(created.id)
                try await eventually("the document reaches b", timeout: .seconds(30)) { try await b.reactor.store.header(id: "list") != nil }
                // Concurrent writes on both sides, then one after the other.
                let onA = try await a.reactor.execute("list", actions: [TodoList.addTodo(id: "x", text: "from a"), TodoList.toggleTodo(id: "x")])
                let onB = try await b.reactor.execute("list", actions: [TodoList.addTodo(id: "y", text: "from b"), TodoList.addTodo(id: "x", text: "clash")])
                _ = try await a.reactor.waitForJob(onA.id)
                _ = try await b.reactor.waitForJob(onB.id)
                try await eventually("both hold both to-dos", timeout: .seconds(30)) {
                    let left = try await a.reactor.get("list")
                    let right = try await b.reactor.get("list")
                    return left.state[Scope.global]?["items"]?.arrayValue?.count == 2 && left.state == right.state
                        && left.hashes[Scope.global] == right.hashes[Scope.global]
                }
                let state = try await a.reactor.get("list").state[Scope.global]
                #expect(Set(state?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []) == ["x", "y"])
            }
        }
    }
}
